package dev.pocketmesh.hpo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.infra.MeshInfraTestResource;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.state.StudyRecord;
import dev.pocketmesh.state.StudyStore;
import dev.pocketmesh.state.TrialStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The study protocol end to end over real Kafka and Redis, with the test playing orchestrator and workers. */
@QuarkusTest
@QuarkusTestResource(value = MeshInfraTestResource.class, restrictToAnnotatedClass = false)
class StudyLifecycleTest {
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Inject
    StudyStore studies;

    @Inject
    TrialStore trials;

    private final MeshClients mesh = MeshClients.get();

    @Test
    void keepsParallelismInFlightUntilTheBudgetIsToldAndIgnoresRedeliveries() {
        String jobId = MeshClients.newJobId("life");
        mesh.start(jobId, MeshClients.spec(5, 2, 1));

        awaitExactlyProposed(jobId, 2);
        TrialProposal first = mesh.proposals(jobId).get(0);
        // The trial record exists before its proposal is published.
        assertThat(trials.find(first.trialId())).isPresent();

        TrialResult firstResult = MeshClients.evaluated(first);
        mesh.sendResult(firstResult);
        awaitExactlyProposed(jobId, 3);

        // A redelivery of the same result, and a second report of it, must change nothing. Results of one job
        // share a partition, so both are handled before the results that follow them.
        mesh.sendResult(firstResult);
        mesh.sendResult(MeshClients.evaluated(first));

        Set<Integer> answered = new HashSet<>(Set.of(first.trialNumber()));
        while (answered.size() < 5) {
            TrialProposal next = mesh.proposals(jobId).stream()
                    .filter(p -> !answered.contains(p.trialNumber())).findFirst().orElse(null);
            if (next == null) {
                int expected = Math.min(5, answered.size() + 2);
                awaitExactlyProposed(jobId, expected);
                continue;
            }
            mesh.sendResult(MeshClients.evaluated(next));
            answered.add(next.trialNumber());
        }

        await().atMost(DEADLINE).until(() -> studies.find(jobId).map(StudyRecord::state).orElse(null)
                == StudyRecord.State.COMPLETED);
        awaitExactlyProposed(jobId, 5);
        assertThat(mesh.proposals(jobId)).hasSize(5);

        StudyRecord study = studies.find(jobId).orElseThrow();
        assertThat(study.proposed()).isEqualTo(5);
        assertThat(study.told()).isEqualTo(5);
        List<Observation> observations = studies.observations(jobId);
        assertThat(observations).extracting(Observation::number).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        assertThat(observations).allSatisfy(o -> {
            assertThat(o.state()).isEqualTo(TrialState.EVALUATED);
            assertThat(o.value()).isBetween(0.0, 1.0);
        });
        assertThat(studies.openStudies()).doesNotContain(jobId);

        Observation best = observations.stream().max((a, b) -> Double.compare(a.value(), b.value())).orElseThrow();
        given().get("/api/studies/{jobId}", jobId).then().statusCode(200)
                .body("study.state", equalTo("COMPLETED"))
                .body("study.budget", equalTo(5))
                .body("inFlight", equalTo(0))
                .body("observations", hasSize(5))
                .body("best.trialId", equalTo(best.trialId()));
    }

    @Test
    void aFailedTrialCountsAgainstTheBudgetAndFreesItsSlot() {
        String jobId = MeshClients.newJobId("fail");
        mesh.start(jobId, MeshClients.spec(3, 1, 5));

        awaitExactlyProposed(jobId, 1);
        TrialProposal first = mesh.proposals(jobId).get(0);
        mesh.sendResult(MeshClients.failed(first));

        awaitExactlyProposed(jobId, 2);
        assertThat(mesh.proposedNumbers(jobId)).containsExactly(1, 2);
        StudyRecord study = studies.find(jobId).orElseThrow();
        assertThat(study.told()).isEqualTo(1);
        assertThat(study.state()).isEqualTo(StudyRecord.State.OPEN);
        List<Observation> observations = studies.observations(jobId);
        assertThat(observations).singleElement().satisfies(o -> {
            assertThat(o.trialId()).isEqualTo(first.trialId());
            assertThat(o.state()).isEqualTo(TrialState.FAILED);
            assertThat(o.value()).isNull();
        });

        given().get("/api/studies/{jobId}", jobId).then().statusCode(200)
                .body("study.told", equalTo(1))
                .body("inFlight", equalTo(1))
                .body("observations[0].state", equalTo("FAILED"))
                .body("best", nullValue());
    }

    @Test
    void cancelStopsNewProposals() {
        String jobId = MeshClients.newJobId("cancel");
        mesh.start(jobId, MeshClients.spec(4, 1, 9));
        awaitExactlyProposed(jobId, 1);

        mesh.cancel(jobId);
        await().atMost(DEADLINE).until(() -> studies.find(jobId).map(StudyRecord::state).orElse(null)
                == StudyRecord.State.CANCELLED);
        mesh.sendResult(MeshClients.evaluated(mesh.proposals(jobId).get(0)));

        await().atMost(DEADLINE).until(() -> studies.find(jobId).orElseThrow().told() == 1);
        awaitExactlyProposed(jobId, 1);
        assertThat(studies.openStudies()).doesNotContain(jobId);
    }

    @Test
    void spreadsTheParallelTrialsOfAJobOverDistinctPartitions() {
        // As many parallel trials as partitions: Kafka's key hash would put two on one partition but once in 10^13.
        int parallel = Topics.TRIAL_PARTITIONS;
        String jobId = MeshClients.newJobId("spread");
        mesh.start(jobId, MeshClients.spec(parallel, parallel, 1));
        awaitExactlyProposed(jobId, parallel);
        // Published by the service's own channel (partitioner.class = TrialPartitioner): every worker gets one.
        Set<Integer> partitions = new HashSet<>();
        for (TrialProposal p : mesh.proposals(jobId)) {
            partitions.add(mesh.partitionOf(p.trialId()));
        }
        assertThat(partitions).as("partitions of the %d parallel trials", parallel).hasSize(parallel);
        mesh.cancel(jobId);
    }

    @Test
    void unknownStudyIs404() {
        given().get("/api/studies/{jobId}", "no-such-job").then().statusCode(404);
    }

    @Test
    void readinessIncludesRedis() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'redis' }.status", equalTo("UP"));
    }

    private void awaitExactlyProposed(String jobId, int count) {
        // "exactly": the count must be reached and then hold for a quiet period.
        await().atMost(DEADLINE).during(QUIET).until(() -> mesh.proposedNumbers(jobId).size() == count);
    }
}
