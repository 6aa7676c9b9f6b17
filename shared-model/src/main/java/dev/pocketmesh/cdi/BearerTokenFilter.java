package dev.pocketmesh.cdi;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * When {@code pocketmesh.auth.token} is set (env {@code POCKETMESH_AUTH_TOKEN}), every request under one of the
 * {@code pocketmesh.auth.protected-paths} prefixes (default {@code /api/}) must carry
 * {@code Authorization: Bearer <token>}, or it gets 401. Health ({@code /q/health}) and metrics ({@code /q/metrics})
 * stay open for probes and scrapers. It sits on the HTTP router rather than in JAX-RS, so static pages (the
 * dashboard) are covered too once their prefix is added to the list. Unset token: the filter lets everything through
 * (local mode).
 */
@ApplicationScoped
public class BearerTokenFilter {
    /** Runs before the REST layer and static resources (higher priority runs first). */
    static final int PRIORITY = 1000;

    private final Optional<byte[]> expected;
    private final List<String> protectedPrefixes;

    public BearerTokenFilter(@ConfigProperty(name = "pocketmesh.auth.token") Optional<String> token,
            @ConfigProperty(name = "pocketmesh.auth.protected-paths", defaultValue = "/api/")
            List<String> protectedPrefixes) {
        this.expected = token.filter(t -> !t.isBlank()).map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8));
        this.protectedPrefixes = List.copyOf(protectedPrefixes);
    }

    void register(@Observes Filters filters) {
        if (expected.isPresent()) {
            filters.register(this::check, PRIORITY);
        }
    }

    /** Whether a request path needs the token. */
    public boolean isProtected(String path) {
        return path != null && protectedPrefixes.stream().anyMatch(path::startsWith);
    }

    /** Whether an {@code Authorization} header value carries the configured token (constant-time compare). */
    public boolean authorizes(String authorization) {
        return expected.map(e -> authorization != null
                && MessageDigest.isEqual(e, authorization.getBytes(StandardCharsets.UTF_8))).orElse(true);
    }

    private void check(RoutingContext rc) {
        if (!isProtected(rc.normalizedPath()) || authorizes(rc.request().getHeader(HttpHeaders.AUTHORIZATION))) {
            rc.next();
            return;
        }
        rc.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", "Bearer realm=\"pocketmesh\"")
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error\":\"missing or wrong bearer token: send Authorization: Bearer <token> "
                        + "(pocketmesh.auth.token)\"}");
    }
}
