package dev.pocketmesh.orchestrator;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The orchestrator as a cluster runs it: bearer token on, tracing on. One profile for the tests of both, so Quarkus
 * starts the application once for them.
 */
public class ClusterModeProfile implements QuarkusTestProfile {
    static final String TOKEN = "t0ken-for-tests";

    @Override
    public Map<String, String> getConfigOverrides() {
        // No collector listens on port 9: spans are made and propagated, their export just fails quietly.
        return Map.of("pocketmesh.auth.token", TOKEN,
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.endpoint", "http://127.0.0.1:9",
                "quarkus.log.category.\"io.opentelemetry\".level", "OFF");
    }
}
