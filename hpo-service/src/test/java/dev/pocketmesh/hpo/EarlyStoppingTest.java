package dev.pocketmesh.hpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.hpo.service.EarlyStopping;
import dev.pocketmesh.infra.MeshInfraTestResource;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.state.StudyStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * ASHA in the hpo-service over real Kafka and Redis, the test playing the workers: epoch reports at a rung are
 * judged against the trials that reached it; a trial outside the top 1/factor gets a PRUNED result, which the study
 * applies (told with its partial value); other reports change nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = MeshInfraTestResource.class, restrictToAnnotatedClass = false)
class EarlyStoppingTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Inject
    StudyStore studies;

    @Inject
    TrialStore trials;

    private final MeshClients mesh = MeshClients.get();

    @Test
    void trialsOutsideTheTopHalfOfARungArePrunedAndTold() {
        String jobId = MeshClients.newJobId("asha");
        // Rungs at epochs 1 and 2 of 4; the first two trials at a rung always go on.
        mesh.start(jobId, MeshClients.specWithAsha(6, 4, 2, 2));
        await().atMost(DEADLINE).until(() -> mesh.proposedNumbers(jobId).size() == 6);
        List<TrialProposal> proposals = mesh.proposals(jobId).stream()
                .sorted(Comparator.comparingInt(TrialProposal::trialNumber)).toList();
        for (TrialProposal p : proposals) {
            assertThat(trials.claim(p.trialId(), 1, "test-worker", 60_000)).isEqualTo(TrialStore.ClaimOutcome.CLAIMED);
        }
        // Epoch 1 of each in turn. Who is judged worse than ⌊n/2⌋ others at arrival stops:
        // 0.50 (grace), 0.60 (grace), 0.40 (2 better of 3: stop), 0.70 (0 of 4: on), 0.55 (2 of 5: stop), 0.65 (1 of 6: on)
        double[] epochOne = {0.50, 0.60, 0.40, 0.70, 0.55, 0.65};
        for (int i = 0; i < 6; i++) {
            mesh.sendProgress(proposals.get(i), 1, 4, epochOne[i]);
        }
        // Epoch 3 is no rung, and epoch 4 is the last: neither stops the worst trial still running.
        mesh.sendProgress(proposals.get(0), 3, 4, 0.01);
        mesh.sendProgress(proposals.get(0), 4, 4, 0.01);

        TrialProposal third = proposals.get(2);
        TrialProposal fifth = proposals.get(4);
        await().atMost(DEADLINE).until(() -> state(third) == TrialState.PRUNED && state(fifth) == TrialState.PRUNED);
        await().atMost(DEADLINE).until(() -> studies.observations(jobId).size() == 2);

        // The PRUNED results went out on the results topic like any other, with the partial metrics.
        ConsumerRecord<String, String> record = mesh.findRecord(Topics.TRIALS_RESULTS,
                r -> r.value().contains(third.trialId()) && r.value().contains("PRUNED"), DEADLINE);
        assertThat(record).isNotNull();
        assertThat(record.key()).isEqualTo(jobId);
        TrialResult pruned = Json.read(record.value(), TrialResult.class);
        assertThat(pruned.metrics()).containsEntry("accuracy", 0.40).containsEntry(EarlyStopping.PRUNED_AT_EPOCH, 1.0);
        assertThat(pruned.config()).isEqualTo(third.config());

        // The optimiser was told their partial values; the others are still running.
        assertThat(studies.observations(jobId)).extracting(Observation::trialId, Observation::value, Observation::state)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(third.trialId(), 0.40, TrialState.PRUNED),
                        org.assertj.core.groups.Tuple.tuple(fifth.trialId(), 0.55, TrialState.PRUNED));
        for (int i : new int[] {0, 1, 3, 5}) {
            assertThat(state(proposals.get(i))).isEqualTo(TrialState.RUNNING);
        }
    }

    @Test
    void withoutEarlyStoppingNoReportStopsATrial() {
        String jobId = MeshClients.newJobId("no-asha");
        mesh.start(jobId, MeshClients.spec(4, 4, 5));
        await().atMost(DEADLINE).until(() -> mesh.proposedNumbers(jobId).size() == 4);
        List<TrialProposal> proposals = mesh.proposals(jobId);
        for (TrialProposal p : proposals) {
            trials.claim(p.trialId(), 1, "test-worker", 60_000);
            mesh.sendProgress(p, 1, 4, 0.1 * p.trialNumber());
        }
        // A marker after the reports: once the study has judged it, it has judged everything before it.
        TrialProposal last = proposals.get(proposals.size() - 1);
        mesh.sendResult(MeshClients.evaluated(last));
        await().atMost(DEADLINE).until(() -> studies.observations(jobId).size() == 1);
        assertThat(proposals).allSatisfy(p -> assertThat(state(p)).isNotEqualTo(TrialState.PRUNED));
    }

    @Test
    void anUnreadableReportGoesToTheDeadLetterTopic() {
        mesh.send(Topics.TRIALS_PROGRESS, "bad-job", "{\"schemaVersion\":1,\"jobId\":\"bad-job\",\"epoch\":\"one\"");
        assertThat(mesh.findRecord(Topics.deadLetter(Topics.TRIALS_PROGRESS), r -> "bad-job".equals(r.key()), DEADLINE))
                .isNotNull();
    }

    private TrialState state(TrialProposal p) {
        return trials.find(p.trialId()).map(TrialRecord::state).orElse(null);
    }
}
