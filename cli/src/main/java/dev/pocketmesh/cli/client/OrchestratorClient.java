package dev.pocketmesh.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The orchestrator's REST API as the CLI uses it. With a token, every API request carries
 * {@code Authorization: Bearer <token>} (an orchestrator with {@code pocketmesh.auth.token} set wants it).
 */
public final class OrchestratorClient {
    private final String baseUrl;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public OrchestratorClient(String baseUrl) {
        this(baseUrl, null);
    }

    /** @param token the bearer token, or null/blank for an orchestrator without authentication */
    public OrchestratorClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = Optional.ofNullable(token).filter(t -> !t.isBlank());
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Accepted (with the job id) or refused (with every field error). */
    public record Submitted(String jobId, List<FieldError> errors) {
        public boolean accepted() {
            return jobId != null;
        }
    }

    /** Posts a job file's text (YAML or JSON). */
    public Submitted submit(String jobText, String jobId) {
        String query = jobId == null ? "" : "?jobId=" + URLEncoder.encode(jobId, StandardCharsets.UTF_8);
        HttpResponse<String> response = send(request("/api/jobs" + query)
                .header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(jobText)).build());
        JsonNode body = response.body().isBlank() ? null : Json.tree(response.body());
        if (response.statusCode() == 202 || response.statusCode() == 201 || response.statusCode() == 200) {
            return new Submitted(body.get("jobId").asText(), List.of());
        }
        if (response.statusCode() == 400 && body != null && body.has("errors")) {
            List<FieldError> errors = new ArrayList<>();
            body.get("errors").forEach(e -> errors.add(new FieldError(e.path("field").asText(),
                    e.path("reason").asText())));
            return new Submitted(null, errors);
        }
        throw new IllegalStateException("orchestrator answered " + response.statusCode() + ": " + response.body());
    }

    /** {@code {"job": ..., "progress": ...}}, or empty for an unknown job. */
    public Optional<JsonNode> job(String jobId) {
        HttpResponse<String> response = send(get("/api/jobs/" + jobId));
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(ok(response));
    }

    public JsonNode jobs(int limit) {
        return ok(send(get("/api/jobs?limit=" + limit)));
    }

    public JsonNode trials(String jobId) {
        return ok(send(get("/api/jobs/" + jobId + "/trials")));
    }

    /** The job's report as JSON text, or as Markdown when {@code markdown}. */
    public Optional<String> report(String jobId, boolean markdown) {
        HttpResponse<String> response = send(get("/api/jobs/" + jobId + "/report" + (markdown ? "?format=md" : "")));
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("report: orchestrator answered " + response.statusCode());
        }
        return Optional.of(response.body());
    }

    /** One file of the job's directory in the artifact store (e.g. {@code report.html}), or empty if it has none. */
    public Optional<byte[]> file(String jobId, String path) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(get("/api/jobs/" + jobId + "/files/" + path), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the orchestrator at " + baseUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("file " + path + ": orchestrator answered " + response.statusCode());
        }
        return Optional.of(response.body());
    }

    public boolean isReady() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpRequest get(String path) {
        return request(path).timeout(Duration.ofSeconds(10)).GET().build();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path));
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    private JsonNode ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("orchestrator answered " + response.statusCode() + ": " + response.body());
        }
        return Json.tree(response.body());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401) {
                throw new IllegalStateException("the orchestrator at " + baseUrl + " wants a bearer token"
                        + (token.isPresent() ? " other than the one given" : "")
                        + ": pass --token or set POCKETMESH_TOKEN");
            }
            return response;
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the orchestrator at " + baseUrl + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "); is the mesh up? try ./pocketmesh up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
