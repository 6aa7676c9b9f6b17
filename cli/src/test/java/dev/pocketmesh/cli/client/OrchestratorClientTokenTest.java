package dev.pocketmesh.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CLI's client sends the bearer token it was given, and says what to do when the orchestrator wants one. */
class OrchestratorClientTokenTest {
    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // Stands in for an orchestrator with pocketmesh.auth.token=s3cret: 401 unless the header matches.
        server.createContext("/api/jobs", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(String.valueOf(auth));
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders("Bearer s3cret".equals(auth) ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void theTokenTravelsAsABearerHeader() {
        assertThat(new OrchestratorClient(url(), "s3cret").jobs(5).isArray()).isTrue();
        assertThat(authorizations).containsExactly("Bearer s3cret");
    }

    @Test
    void withoutATokenThe401SaysHowToGiveOne() {
        assertThatThrownBy(() -> new OrchestratorClient(url()).jobs(5))
                .hasMessageContaining("wants a bearer token").hasMessageContaining("--token")
                .hasMessageContaining("POCKETMESH_TOKEN");
        assertThat(authorizations).containsExactly("null");
    }
}
