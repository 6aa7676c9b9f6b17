package dev.pocketmesh.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.json.Json;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Following a running job: history, then live events from Kafka (progress included), ending at CANCELLED. */
@QuarkusTest
class JobEventsSseTest {
    @TestHTTPResource("/api/jobs")
    URI jobsUri;

    @Test
    void liveStreamRelaysProgressAndEndsAtTheTerminalState() throws Exception {
        String jobId = Specs.uniqueId("sse");
        given().contentType(ContentType.JSON).body(Specs.SIMULATED).queryParam("jobId", jobId)
                .when().post("/api/jobs").then().statusCode(202);

        List<String> lines = new CopyOnWriteArrayList<>();
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<Void>> stream = client.sendAsync(
                HttpRequest.newBuilder(URI.create(jobsUri + "/" + jobId + "/events"))
                        .header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.fromLineSubscriber(new LineCollector(lines)));

        // History first.
        Awaitility.await().atMost(MeshKafka.TIMEOUT).until(() -> lines.stream().anyMatch(l -> l.contains("BASELINE")));
        // Then live: a worker's progress reaches the stream once this instance's live consumer has its partitions.
        String trialId = MessageIds.baselineTrialId(jobId);
        Awaitility.await().atMost(MeshKafka.TIMEOUT).pollInterval(java.time.Duration.ofMillis(500)).until(() -> {
            MeshKafka.send(Topics.TRIALS_PROGRESS, jobId, Json.write(TrialProgress.of(jobId, trialId, 1, "w", 1, 2,
                    Map.of("accuracy", 0.5))));
            return lines.stream().anyMatch(l -> l.contains("TRIAL_PROGRESS"));
        });

        given().when().delete("/api/jobs/" + jobId).then().statusCode(202);
        stream.get(MeshKafka.TIMEOUT.toSeconds(), TimeUnit.SECONDS); // completes: the server ends the stream
        assertThat(lines).anyMatch(l -> l.startsWith("data:") && l.contains("\"CANCELLED\""));
        assertThat(lines.stream().filter(l -> l.contains("\"SUBMITTED\"")).count()).isEqualTo(1);
    }

    private static final class LineCollector implements java.util.concurrent.Flow.Subscriber<String> {
        private final List<String> lines;

        LineCollector(List<String> lines) {
            this.lines = lines;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String item) {
            lines.add(item);
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }
}
