package dev.pocketmesh.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.StudyCommand;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.SimulatedLearner;
import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.TrialStore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A whole job with this test in the roles of the hpo-service (search trials), the workers and the evaluator
 * (results), talking the real protocol over Kafka and Redis.
 */
@QuarkusTest
class JobLifecycleTest {
    @Inject
    TrialStore trials;
    @Inject
    JobStore jobs;

    @Test
    void simulatedJobRunsFromSubmissionToReport() throws java.io.IOException {
        String jobId = Specs.uniqueId("life");
        MeshKafka.send(Topics.JOBS_SUBMIT, jobId, Specs.SIMULATED);

        // BASELINE: the orchestrator proposes the uncompressed configuration; "evaluate" it.
        TrialProposal baseline = proposal(MessageIds.baselineTrialId(jobId));
        assertThat(baseline.kind()).isEqualTo(TrialKind.BASELINE);
        assertThat(trials.find(baseline.trialId())).isPresent();
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(evaluated(baseline)));

        StudyCommand start = Json.read(MeshKafka.await(Topics.STUDIES, r -> jobId.equals(r.key())).value(),
                StudyCommand.class);
        assertThat(start.action()).isEqualTo(StudyCommand.Action.START);
        assertThat(start.spec().search().trials()).isEqualTo(3);
        assertThat(start.baselineMetrics()).containsKey("accuracy");
        awaitState(jobId, JobState.SEARCHING);

        // SEARCH: three trials as the hpo-service would create them; the second one is the most accurate.
        List<TrialProposal> search = new ArrayList<>();
        double[] ratios = {0.5, 0.9, 0.3};
        for (int n = 1; n <= 3; n++) {
            TrialProposal p = TrialProposal.of(jobId, MessageIds.searchTrialId(jobId, n), n, 1, TrialKind.SEARCH,
                    config(ratios[n - 1]), start.spec());
            assertThat(trials.propose(p)).isTrue();
            search.add(p);
        }
        // Two epoch reports of trial 1: relayed live, and kept for the dashboard's curves drawn after the fact.
        for (int epoch = 1; epoch <= 2; epoch++) {
            MeshKafka.send(Topics.TRIALS_PROGRESS, search.get(0).trialId(), Json.write(TrialProgress.of(jobId,
                    search.get(0).trialId(), 1, "worker-1", epoch, 2, Map.of("accuracy", 0.5 + epoch / 10.0))));
        }
        await().atMost(MeshKafka.TIMEOUT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> given().when()
                .get("/api/jobs/" + jobId + "/epochs").then().statusCode(200).body("$", hasSize(2))
                .body("[1].epoch", equalTo(2)).body("[1].trialId", equalTo(search.get(0).trialId()))
                .body("[1].metrics.accuracy", equalTo(0.7f)));
        TrialResult first = evaluated(search.get(0));
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(first));
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(evaluated(search.get(1))));
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(first)); // redelivered: counts once
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(evaluated(search.get(2))));

        // FINALIZING: the best search configuration is retrained.
        TrialProposal fin = proposal(MessageIds.finalTrialId(jobId));
        assertThat(fin.kind()).isEqualTo(TrialKind.FINAL);
        assertThat(fin.config()).isEqualTo(search.get(1).config());
        assertThat(jobs.find(jobId).orElseThrow().bestTrialId()).isEqualTo(search.get(1).trialId());
        assertThat(trials.finishedSearchTrials(jobId)).isEqualTo(3);
        long firstTrialUpdates = jobs.events(jobId).stream()
                .filter(e -> e.type() == JobEvent.Type.TRIAL_UPDATED && search.get(0).trialId().equals(e.trialId()))
                .count();
        assertThat(firstTrialUpdates).as("the duplicate result is not applied twice").isEqualTo(1);

        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(evaluated(fin)));
        awaitState(jobId, JobState.COMPLETED);

        Response report = given().when().get("/api/jobs/" + jobId + "/report");
        report.then().statusCode(200)
                .body("status", equalTo("COMPLETED"))
                .body("baseline.metrics.accuracy", notNullValue())
                .body("final.metrics.accuracy", notNullValue())
                .body("ratios.flopsReduction", notNullValue())
                .body("bestTrialId", equalTo(search.get(1).trialId()))
                .body("trials", hasSize(3))
                .body("counts.total", equalTo(3)).body("counts.evaluated", equalTo(3));
        given().when().get("/api/jobs/" + jobId + "/report?format=md").then().statusCode(200)
                .body(containsString("# PocketMesh report")).body(containsString(search.get(1).trialId()));
        // The report's other files, served from the job's directory and nowhere else.
        given().when().get("/api/jobs/" + jobId + "/files").then().statusCode(200)
                .body("$", org.hamcrest.Matchers.hasItems("report.json", "report.md", "report.html",
                        "plot-accuracy-vs-cost.png", "plot-best-so-far.png", "plot-layers.png"));
        byte[] png = given().when().get("/api/jobs/" + jobId + "/files/plot-accuracy-vs-cost.png").then()
                .statusCode(200).contentType("image/png").extract().asByteArray();
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png))).isNotNull();
        given().when().get("/api/jobs/" + jobId + "/files/report.html").then().statusCode(200)
                .contentType(containsString("text/html")).body(containsString("<img src=\"plot-best-so-far.png\""));
        given().urlEncodingEnabled(false).when().get("/api/jobs/" + jobId + "/files/..%2F..%2Fpom.xml").then()
                .statusCode(org.hamcrest.Matchers.oneOf(400, 404));
        given().when().get("/api/jobs/" + jobId + "/files/final/../../other/report.json").then()
                .statusCode(org.hamcrest.Matchers.oneOf(400, 404));
        given().when().get("/api/jobs/" + jobId + "/files/no-such.png").then().statusCode(404);
        given().when().get("/api/jobs/" + jobId + "/charts").then().statusCode(200)
                .body("scatter.trials", hasSize(search.size())).body("bestSoFar", hasSize(search.size()))
                .body("layers.trialId", equalTo(search.get(1).trialId()));
        given().when().get("/api/jobs/" + jobId + "/trials/" + search.get(2).trialId() + "/layers").then()
                .statusCode(200).body("values", hasSize(search.get(2).config().size()))
                .body("values[0].parameter", equalTo("ratio")).body("values[0].value", equalTo(0.3f));
        given().when().get("/api/jobs/" + jobId).then().statusCode(200)
                .body("progress.finished", equalTo(3)).body("progress.bestTrialId", equalTo(search.get(1).trialId()));
        given().when().get("/api/jobs/" + jobId + "/trials").then().statusCode(200)
                .body("trialId", hasSize(5)).body("[0].kind", equalTo("BASELINE")).body("[4].kind", equalTo("FINAL"));

        List<JobState> states = jobs.events(jobId).stream().filter(e -> e.type() == JobEvent.Type.STATE_CHANGED)
                .map(JobEvent::state).toList();
        assertThat(states).containsExactly(JobState.SUBMITTED, JobState.BASELINE, JobState.SEARCHING,
                JobState.FINALIZING, JobState.COMPLETED);
        JobEvent completed = jobs.events(jobId).get(jobs.events(jobId).size() - 1);
        assertThat(completed.data()).containsKeys("final", "ratios");

        // A finished job's event stream replays its history and ends.
        String sse = given().when().get("/api/jobs/" + jobId + "/events").then().statusCode(200)
                .contentType(containsString("text/event-stream")).extract().asString();
        assertThat(sse).contains("\"SUBMITTED\"", "\"SEARCHING\"", "\"COMPLETED\"");
    }

    @Test
    void failedBaselineFailsTheJob() {
        String jobId = Specs.uniqueId("life-fail");
        MeshKafka.send(Topics.JOBS_SUBMIT, jobId, Specs.SIMULATED);
        TrialProposal baseline = proposal(MessageIds.baselineTrialId(jobId));
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(TrialResult.failed(jobId, baseline.trialId(),
                baseline.trialNumber(), 1, TrialKind.BASELINE, baseline.config(), "out of memory", "test-worker")));
        awaitState(jobId, JobState.FAILED);
        assertThat(jobs.find(jobId).orElseThrow().message()).contains("out of memory");
    }

    @Test
    void theFinalModelIsMeasuredOnEveryExtraProfileBeforeTheJobCompletesAndAFailedOneIsNoted() {
        String jobId = Specs.uniqueId("life-profiles");
        String spec = Specs.SIMULATED.replace("\"trials\":3", "\"trials\":1");
        MeshKafka.send(Topics.JOBS_SUBMIT, jobId, spec.substring(0, spec.length() - 1)
                + ",\"evaluation\":{\"device\":\"cpu\",\"alsoMeasureOn\":[\"cpu-x86-4t\",\"cuda\"]}}");
        TrialProposal baseline = proposal(MessageIds.baselineTrialId(jobId));
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(evaluated(baseline)));
        awaitState(jobId, JobState.SEARCHING);
        TrialProposal only = TrialProposal.of(jobId, MessageIds.searchTrialId(jobId, 1), 1, 1, TrialKind.SEARCH,
                config(0.5), baseline.spec());
        assertThat(trials.propose(only)).isTrue();
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(evaluated(only)));
        TrialProposal fin = proposal(MessageIds.finalTrialId(jobId));
        TrialResult finalResult = evaluated(fin);
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(finalResult));

        // Evaluated on the primary profile, the final model goes to each extra profile's evaluators; the job waits.
        await().atMost(MeshKafka.TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> jobs.events(jobId).stream()
                .anyMatch(e -> e.message() != null && e.message().contains("measuring it on cpu-x86-4t, cuda")));
        Map<String, EvaluationRequest> requests = new LinkedHashMap<>();
        for (String profile : List.of("cpu-x86-4t", "cuda")) {
            String id = MessageIds.finalOnProfileId(jobId, profile);
            EvaluationRequest request = Json.read(MeshKafka.await(Topics.evaluations(profile),
                    r -> id.equals(r.key())).value(), EvaluationRequest.class);
            assertThat(request.deviceProfile()).isEqualTo(profile);
            assertThat(request.kind()).isEqualTo(TrialKind.FINAL);
            assertThat(request.artifactUri()).isEqualTo(finalResult.artifactUri());
            assertThat(request.baselineArtifactUri())
                    .isEqualTo(trials.find(baseline.trialId()).orElseThrow().artifactUri());
            requests.put(profile, request);
        }
        assertThat(jobs.find(jobId).orElseThrow().state()).isEqualTo(JobState.FINALIZING);

        TrialResult on4t = TrialResult.evaluated(requests.get("cpu-x86-4t"), Map.of("latencyMs", 0.5,
                "latencyP90Ms", 0.6, "latencySpeedup", 1.7, "latencyThreads", 4.0, "testAccuracy", 0.8), "eval-4t");
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(on4t));
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(on4t)); // redelivered: kept once
        await().atMost(MeshKafka.TIMEOUT).until(() -> jobs.profileMeasurements(jobId).containsKey("cpu-x86-4t"));
        assertThat(jobs.find(jobId).orElseThrow().state()).as("cuda has not answered").isEqualTo(JobState.FINALIZING);

        EvaluationRequest cuda = requests.get("cuda");
        MeshKafka.send(Topics.TRIALS_RESULTS, jobId, Json.write(TrialResult.failed(jobId, cuda.trialId(),
                cuda.trialNumber(), 1, TrialKind.FINAL, cuda.config(), "measurement failed: no GPU", "eval-cuda")));
        awaitState(jobId, JobState.COMPLETED);
        assertThat(jobs.find(jobId).orElseThrow().message())
                .contains("not measured on 'cuda' (evaluation.alsoMeasureOn): measurement failed: no GPU");
        // The primary result stays on the FINAL trial; the extras are the job's, one row per profile in the report.
        assertThat(trials.find(fin.trialId()).orElseThrow().metrics()).isEqualTo(finalResult.metrics());
        given().when().get("/api/jobs/" + jobId + "/report").then().statusCode(200)
                .body("profiles.profile", org.hamcrest.Matchers.contains("cpu", "cpu-x86-4t", "cuda"))
                .body("profiles.state", org.hamcrest.Matchers.contains("EVALUATED", "EVALUATED", "FAILED"))
                .body("profiles[1].latencyMs", equalTo(0.5f)).body("profiles[1].threads", equalTo(4))
                .body("profiles[1].measuredBy", equalTo("eval-4t"))
                .body("profiles[2].error", equalTo("measurement failed: no GPU"));
        assertThat(jobs.events(jobId).stream().filter(e -> on4t.trialId().equals(e.trialId())).count())
                .as("the redelivered extra result is announced once").isEqualTo(1);
    }

    private void awaitState(String jobId, JobState state) {
        await().atMost(MeshKafka.TIMEOUT).pollInterval(Duration.ofMillis(100)).untilAsserted(
                () -> assertThat(jobs.find(jobId)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(state)));
    }

    private static TrialProposal proposal(String trialId) {
        return Json.read(MeshKafka.await(Topics.TRIALS_PROPOSED, r -> trialId.equals(r.key())).value(),
                TrialProposal.class);
    }

    /** What the evaluator would report for the simulated learner. */
    private static TrialResult evaluated(TrialProposal p) {
        Map<String, Double> metrics = SimulatedLearner.measure(p.config(), p.spec().compression().params(),
                p.spec().search().seed(), p.trialNumber());
        EvaluationRequest request = EvaluationRequest.of(p, Topics.DEFAULT_DEVICE_PROFILE,
                "file:///tmp/" + p.trialId(), "test-worker");
        return TrialResult.evaluated(request, metrics, "test-evaluator");
    }

    private static Map<String, Object> config(double ratio) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            config.put(SimulatedLearner.RATIO_PREFIX + i, ratio);
        }
        return config;
    }
}
