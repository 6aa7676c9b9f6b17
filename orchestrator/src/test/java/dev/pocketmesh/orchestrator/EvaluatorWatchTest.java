package dev.pocketmesh.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.state.EvaluatorRegistry;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.JobStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job whose device profile (primary or extra) has no evaluator is refused at intake with {@code evaluation.device}
 * or {@code evaluation.alsoMeasureOn[i]} named, and a running job whose evaluators vanish fails with the reason after the grace period, instead of waiting forever.
 * Heartbeats are written to the real Redis here exactly as an evaluator writes them.
 */
@QuarkusTest
@TestProfile(EvaluatorWatchTest.Required.class)
class EvaluatorWatchTest {
    public static class Required implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pocketmesh.evaluators.required", "true", "pocketmesh.evaluators.grace", "1s");
        }
    }

    @Inject
    EvaluatorRegistry evaluators;
    @Inject
    JobStore jobs;

    private static String job(String device) {
        String spec = Specs.SIMULATED;
        return spec.substring(0, spec.length() - 1) + ",\"evaluation\":{\"device\":\"" + device + "\"}}";
    }

    private static String job(String device, String alsoMeasureOn) {
        String spec = Specs.SIMULATED;
        return spec.substring(0, spec.length() - 1) + ",\"evaluation\":{\"device\":\"" + device
                + "\",\"alsoMeasureOn\":[\"" + alsoMeasureOn + "\"]}}";
    }

    @Test
    void anExtraProfileWithoutEvaluatorsIsRefusedNamingItsIndex() {
        evaluators.heartbeat("cpu-x86-1t", "test-x86-1t-evaluator", "{}", Duration.ofSeconds(60));
        given().contentType(ContentType.JSON).body(job("cpu-x86-1t", "cuda")).when().post("/api/jobs")
                .then().statusCode(400).body("errors.size()", equalTo(1))
                .body("errors[0].field", equalTo("evaluation.alsoMeasureOn[0]"))
                .body("errors[0].reason", containsString("no evaluator is running for device profile 'cuda'"))
                .body("errors[0].reason", containsString("the final model could not be measured there"));
    }

    @Test
    void aRunningJobFailsWhenTheEvaluatorsOfAnExtraProfileVanish() {
        String jobId = Specs.uniqueId("vanish-extra");
        evaluators.heartbeat("cpu-x86-1t", "test-x86-1t-evaluator", "{}", Duration.ofSeconds(60));
        evaluators.heartbeat("cuda", "test-cuda-evaluator", "{}", Duration.ofSeconds(2));
        given().contentType(ContentType.JSON).body(job("cpu-x86-1t", "cuda")).queryParam("jobId", jobId).when()
                .post("/api/jobs").then().statusCode(202).body("state", equalTo("BASELINE"));

        await().atMost(Duration.ofSeconds(15)).until(() -> jobs.find(jobId).orElseThrow().state().isTerminal());
        JobRecord job = jobs.find(jobId).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.message()).contains("device profile 'cuda'").contains("evaluation.alsoMeasureOn[0]");
    }

    @Test
    void aJobForAProfileWithoutEvaluatorsIsRejectedNamingTheField() {
        String jobId = Specs.uniqueId("no-eval");
        MeshKafka.send(Topics.JOBS_SUBMIT, jobId, job("cpu-x86-4t"));
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs.find(jobId).isPresent());
        JobRecord job = jobs.find(jobId).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.REJECTED);
        assertThat(job.errors()).extracting(FieldError::field).containsExactly("evaluation.device");
        assertThat(job.errors().get(0).reason()).contains("no evaluator is running for device profile 'cpu-x86-4t'");

        given().contentType(ContentType.JSON).body(job("cpu-x86-4t")).when().post("/api/jobs")
                .then().statusCode(400).body("errors[0].field", equalTo("evaluation.device"));
    }

    @Test
    void aRunningJobFailsWhenItsEvaluatorsVanish() {
        String jobId = Specs.uniqueId("vanish");
        evaluators.heartbeat("arm64", "test-arm64-evaluator", "{}", Duration.ofSeconds(2));
        given().contentType(ContentType.JSON).body(job("arm64")).queryParam("jobId", jobId).when().post("/api/jobs")
                .then().statusCode(202).body("state", equalTo("BASELINE"));

        // Nobody renews the heartbeat: it expires after 2 s, the grace is 1 s.
        await().atMost(Duration.ofSeconds(15)).until(() -> jobs.find(jobId).orElseThrow().state().isTerminal());
        JobRecord job = jobs.find(jobId).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.message()).contains("device profile 'arm64'").contains("evaluation.device");
        given().when().get("/api/jobs/" + jobId).then().statusCode(200)
                .body("job.message", containsString("no evaluator"));
    }
}
