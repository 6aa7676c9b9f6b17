package dev.pocketmesh.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.orchestrator.service.TrialReaper;
import dev.pocketmesh.state.TrialStore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A worker that claims a trial and dies (never renews its lease), on every attempt. */
@QuarkusTest
class ReaperTest {
    static final long SHORT_LEASE_MS = 300;

    @Inject
    TrialStore trials;

    @Test
    void expiredLeasesAreReproposedThenFailedAfterMaxAttempts() {
        String jobId = Specs.uniqueId("reaper");
        String trialId = MessageIds.searchTrialId(jobId, 1);
        TrialProposal proposal = TrialProposal.of(jobId, trialId, 1, 1, TrialKind.SEARCH, Map.of("ratio.0", 0.5),
                null);
        assertThat(trials.propose(proposal)).isTrue();

        assertThat(trials.claim(trialId, 1, "dying-worker-1", SHORT_LEASE_MS)).isEqualTo(TrialStore.ClaimOutcome.CLAIMED);
        TrialProposal second = awaitProposal(trialId, 2);
        assertThat(second.config()).isEqualTo(proposal.config());
        assertThat(trials.claim(trialId, 1, "late-worker", SHORT_LEASE_MS)).isEqualTo(TrialStore.ClaimOutcome.STALE);

        assertThat(trials.claim(trialId, 2, "dying-worker-2", SHORT_LEASE_MS)).isEqualTo(TrialStore.ClaimOutcome.CLAIMED);
        awaitProposal(trialId, 3);
        assertThat(trials.claim(trialId, 3, "dying-worker-3", SHORT_LEASE_MS)).isEqualTo(TrialStore.ClaimOutcome.CLAIMED);

        TrialResult failed = Json.read(MeshKafka.await(Topics.TRIALS_RESULTS,
                r -> jobId.equals(r.key()) && r.value().contains(trialId)).value(), TrialResult.class);
        assertThat(failed.state()).isEqualTo(TrialState.FAILED);
        assertThat(failed.attempt()).isEqualTo(3);
        assertThat(failed.reportedBy()).isEqualTo(TrialReaper.REPORTER);
        assertThat(failed.error()).contains("lease expired");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(trials.find(trialId))
                .hasValueSatisfying(t -> {
                    assertThat(t.state()).isEqualTo(TrialState.FAILED);
                    assertThat(t.attempts()).hasSize(3);
                }));
        assertThat(trials.runningTrialIds()).doesNotContain(trialId);
        assertThat(trials.finishedSearchTrials(jobId)).isEqualTo(1);
    }

    @Test
    void aHandedBackAttemptIsReproposedAtOnceAndDoesNotUseUpARetry() {
        String jobId = Specs.uniqueId("handback");
        String trialId = MessageIds.searchTrialId(jobId, 1);
        assertThat(trials.propose(TrialProposal.of(jobId, trialId, 1, 1, TrialKind.SEARCH, Map.of("ratio.0", 0.5),
                null))).isTrue();
        long longLease = 60_000;
        // Three workers stop (SIGTERM) one after another, each mid-trial; max-attempts is 3.
        for (int attempt = 1; attempt <= 3; attempt++) {
            String worker = "stopping-worker-" + attempt;
            assertThat(trials.claim(trialId, attempt, worker, longLease)).isEqualTo(TrialStore.ClaimOutcome.CLAIMED);
            assertThat(trials.handBack(trialId, attempt, "someone-else")).isFalse();
            assertThat(trials.handBack(trialId, attempt, worker)).isTrue();
            // Long before the 60 s lease could expire.
            awaitProposal(trialId, attempt + 1);
        }
        assertThat(trials.handedBack(trialId)).containsExactly("stopping-worker-1#1", "stopping-worker-2#2",
                "stopping-worker-3#3");
        assertThat(trials.claim(trialId, 4, "steady-worker", longLease)).isEqualTo(TrialStore.ClaimOutcome.CLAIMED);
        assertThat(trials.find(trialId)).hasValueSatisfying(t -> assertThat(t.state()).isEqualTo(TrialState.RUNNING));
    }

    private static TrialProposal awaitProposal(String trialId, int attempt) {
        return Json.read(MeshKafka.await(Topics.TRIALS_PROPOSED, r -> trialId.equals(r.key())
                && Json.read(r.value(), TrialProposal.class).attempt() == attempt).value(), TrialProposal.class);
    }
}
