package dev.pocketmesh.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.StudyCommand;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.json.Json;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
class JobResourceTest {

    @Test
    void unknownLearnerNamesTheField() {
        post(Specs.SIMULATED.replace("\"simulated\"", "\"nope\""), ContentType.JSON)
                .statusCode(400).body("errors.field", hasItem("compression.learner"));
    }

    @Test
    void negativeTrialsNamesTheField() {
        post(Specs.SIMULATED.replace("\"trials\":3", "\"trials\":-1"), ContentType.JSON)
                .statusCode(400).body("errors.field", hasItem("search.trials"));
    }

    @Test
    void idxDatasetWithoutPathNamesTheField() {
        post(Specs.SIMULATED.replace("\"format\":\"synthetic\"", "\"format\":\"idx\""), ContentType.JSON)
                .statusCode(400).body("errors.field", hasItem("dataset.path"));
    }

    @Test
    void datasetOutsideTheAllowedRootsNamesTheField() {
        String passwd = "{\"format\":\"idx\",\"path\":\"file:///etc/passwd\"}";
        post(Specs.SIMULATED.replace("{\"format\":\"synthetic\"}", passwd), ContentType.JSON).statusCode(400).body("errors.field", hasItem("dataset.path"))
                .body("errors.reason", hasItem(containsString("outside the allowed roots")));
    }

    @Test
    void jobBeyondAConfiguredLimitNamesTheFieldAndTheLimit() {
        // %test.pocketmesh.limits.max-parallelism=8 (application.properties)
        post(Specs.SIMULATED.replace("\"parallelism\":1", "\"parallelism\":9"), ContentType.JSON)
                .statusCode(400).body("errors.field", hasItem("search.parallelism"))
                .body("errors.reason", hasItem(containsString("limit of 8")));
    }

    @Test
    void malformedJsonIsRefusedAndNothingIsStored() {
        String jobId = Specs.uniqueId("rest-bad");
        given().contentType(ContentType.JSON).body("{\"name\": \"t\", \"model\": {").queryParam("jobId", jobId)
                .when().post("/api/jobs")
                .then().statusCode(400).body("errors[0].field", equalTo("(document)"));
        given().when().get("/api/jobs/" + jobId).then().statusCode(404);
    }

    @Test
    void unknownFieldsAreNamedTogetherWithOtherErrors() {
        String doc = Specs.SIMULATED.replace("{\"name\":\"t\",", "{\"name\":\"t\",\"bogus\":1,")
                .replace("\"trials\":3", "\"trials\":0");
        post(doc, ContentType.JSON).statusCode(400).body("errors.field", hasItems("bogus", "search.trials"));
    }

    @Test
    void goodJobIsAcceptedAndStartsItsBaseline() {
        String jobId = Specs.uniqueId("rest-ok");
        given().contentType(ContentType.JSON).body(Specs.SIMULATED).queryParam("jobId", jobId)
                .when().post("/api/jobs")
                .then().statusCode(202).body("jobId", equalTo(jobId)).body("state", equalTo("BASELINE"))
                .header("Location", endsWith("/api/jobs/" + jobId));

        given().when().get("/api/jobs/" + jobId).then().statusCode(200)
                .body("job.state", equalTo("BASELINE")).body("job.spec.search.trials", equalTo(3))
                .body("progress.budget", equalTo(3)).body("progress.finished", equalTo(0));
        given().when().get("/api/jobs/" + jobId + "/trials").then().statusCode(200)
                .body("trialId", hasItem(MessageIds.baselineTrialId(jobId)));
        given().when().get("/api/jobs?limit=500").then().statusCode(200).body("jobId", hasItem(jobId));
        given().when().get("/api/jobs/" + jobId + "/report").then().statusCode(404);

        // Same id again: conflict, the first job is untouched.
        given().contentType(ContentType.JSON).body(Specs.SIMULATED).queryParam("jobId", jobId)
                .when().post("/api/jobs").then().statusCode(409);

        TrialProposal baseline = Json.read(MeshKafka.await(Topics.TRIALS_PROPOSED,
                r -> MessageIds.baselineTrialId(jobId).equals(r.key())).value(), TrialProposal.class);
        assertThat(baseline.attempt()).isEqualTo(1);
        assertThat(baseline.config()).containsEntry("ratio.0", 1.0);
    }

    @Test
    void yamlJobIsAccepted() {
        String yaml = """
                name: yaml-job
                model: {zoo: lenet5}
                dataset: {format: synthetic}
                compression:
                  learner: simulated
                  params: {sleepMs: 0}
                search: {trials: 2}
                """;
        given().contentType("application/yaml").body(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)).when().post("/api/jobs")
                .then().statusCode(202).body("state", equalTo("BASELINE"));
    }

    @Test
    void unknownJobIs404() {
        given().when().get("/api/jobs/no-such-job").then().statusCode(404);
        given().when().get("/api/jobs/no-such-job/trials").then().statusCode(404);
        given().when().delete("/api/jobs/no-such-job").then().statusCode(404);
    }

    @Test
    void cancelStopsTheJobAndItsStudy() {
        String jobId = Specs.uniqueId("rest-cancel");
        given().contentType(ContentType.JSON).body(Specs.SIMULATED).queryParam("jobId", jobId)
                .when().post("/api/jobs").then().statusCode(202);

        given().when().delete("/api/jobs/" + jobId).then().statusCode(202).body("state", equalTo("CANCELLED"));
        given().when().get("/api/jobs/" + jobId).then().statusCode(200).body("job.state", equalTo("CANCELLED"));
        StudyCommand cancel = Json.read(MeshKafka.await(Topics.STUDIES, r -> jobId.equals(r.key())).value(),
                StudyCommand.class);
        assertThat(cancel.action()).isEqualTo(StudyCommand.Action.CANCEL);
        given().when().delete("/api/jobs/" + jobId).then().statusCode(409);
    }

    @Test
    void readinessIncludesRedis() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(200).body(containsString("redis")));
    }

    private static io.restassured.response.ValidatableResponse post(String body, ContentType type) {
        return given().contentType(type).body(body).when().post("/api/jobs").then();
    }
}
