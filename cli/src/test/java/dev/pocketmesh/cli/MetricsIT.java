package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.cli.mesh.ServiceInfo;
import dev.pocketmesh.cli.mesh.ServiceKind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After a simulated job, every service's {@code /q/metrics} (Prometheus text) has the mesh's metrics, each in the
 * service that owns its event, with counts that reflect the job. The mesh is shared with other tests: counts are
 * lower bounds.
 */
class MetricsIT {
    private final MeshFixture fixture = MeshFixture.get();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void eachServiceExportsTheMetricsOfTheEventsItOwns() {
        int trials = 4;
        String jobId = fixture.submit(MeshFixture.simulatedJob("e2e-metrics", trials, 2, 100, 1, 11));
        fixture.awaitCompleted(jobId, Duration.ofMinutes(2));
        int attempts = trials + 2; // the baseline and the final trial too

        String orchestrator = scrape(only(ServiceKind.ORCHESTRATOR));
        assertThat(value(orchestrator, "pocketmesh_jobs{state=\"COMPLETED\"")).isGreaterThanOrEqualTo(1);
        assertThat(orchestrator).contains("pocketmesh_jobs{state=\"SEARCHING\"");
        assertThat(value(orchestrator, "pocketmesh_trials_completed_total")).isGreaterThanOrEqualTo(attempts);
        assertThat(orchestrator).contains("pocketmesh_trials_failed_total").contains("pocketmesh_trials_pruned_total")
                .contains("pocketmesh_trials_proposed_lag");

        String hpo = scrape(only(ServiceKind.HPO));
        assertThat(value(hpo, "pocketmesh_suggestion_latency_seconds_count")).isGreaterThanOrEqualTo(trials);

        double started = 0;
        double trained = 0;
        for (ServiceInfo worker : all(ServiceKind.WORKER)) {
            String text = scrape(worker);
            started += value(text, "pocketmesh_trials_started_total");
            trained += value(text, "pocketmesh_trial_duration_seconds_count{outcome=\"trained\"");
        }
        assertThat(started).isGreaterThanOrEqualTo(attempts);
        assertThat(trained).isGreaterThanOrEqualTo(attempts);

        String evaluator = scrape(only(ServiceKind.EVALUATOR));
        assertThat(value(evaluator, "pocketmesh_evaluator_latency_seconds_count")).isGreaterThanOrEqualTo(attempts);
    }

    private List<ServiceInfo> all(ServiceKind kind) {
        return fixture.mesh.services().values().stream().filter(s -> s.kind() == kind).toList();
    }

    private ServiceInfo only(ServiceKind kind) {
        List<ServiceInfo> found = all(kind);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private String scrape(ServiceInfo service) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(service.name() + " /q/metrics").isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("cannot scrape " + service.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The sum of the samples whose line starts with {@code series} (a name, optionally with its first labels). */
    static double value(String prometheusText, String series) {
        double sum = 0;
        boolean found = false;
        for (String line : prometheusText.split("\n")) {
            // The series ends where a space (value), '{' (labels), ',' or '}' (more labels) follows.
            if (line.startsWith(series) && line.length() > series.length()
                    && " {,}".indexOf(line.charAt(series.length())) >= 0) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertThat(found).as("a sample of " + series).isTrue();
        return sum;
    }
}
