package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.state.RedisKeys;
import dev.pocketmesh.state.TrialRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One of two workers gets SIGTERM (a scale-down) in the middle of a trial: it hands the trial back at once (lease
 * released, hand-back recorded), the reaper re-proposes it without waiting for the lease to expire, the other
 * worker runs it, and the job completes with every trial counted once. WorkerCrashIT is the SIGKILL case.
 */
class WorkerSigtermIT {
    private final MeshFixture fixture = MeshFixture.get();
    private boolean terminated;

    @Test
    void aTerminatedWorkerHandsItsTrialBackAndItCompletesElsewhere() {
        String jobId = fixture.submit(MeshFixture.simulatedJob("e2e-sigterm", 4, 2, 6000, 3, 7));

        AtomicReference<TrialRecord> victim = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (TrialRecord t : fixture.trials.listForJob(jobId)) {
                if (t.kind() == TrialKind.SEARCH && t.state() == TrialState.RUNNING && "worker-1".equals(t.workerId())
                        && t.startedAt() != null) {
                    victim.set(t);
                    return true;
                }
            }
            return false;
        });
        String trialId = victim.get().trialId();
        int attempt = victim.get().attempt();
        fixture.mesh.terminate("worker-1", Duration.ofSeconds(30));
        terminated = true;

        // Handed back on the way out: the hand-back is recorded, the lease is gone before it could expire.
        assertThat(fixture.trials.handedBack(trialId)).containsExactly("worker-1#" + attempt);
        assertThat(fixture.redis.get(RedisKeys.lease(trialId))).isNotEqualTo("worker-1#" + attempt);

        fixture.awaitCompleted(jobId, Duration.ofMinutes(4));

        TrialRecord rerun = fixture.trials.find(trialId).orElseThrow();
        assertThat(rerun.state()).isEqualTo(TrialState.EVALUATED);
        assertThat(rerun.attempt()).isEqualTo(attempt + 1);
        assertThat(rerun.attempts()).containsExactly("worker-1#" + attempt, "worker-2#" + (attempt + 1));
        assertThat(rerun.workerId()).isEqualTo("worker-2");

        List<TrialRecord> search = fixture.trials.listForJob(jobId).stream()
                .filter(t -> t.kind() == TrialKind.SEARCH).toList();
        assertThat(search).hasSize(4).allMatch(t -> t.state() == TrialState.EVALUATED);
        List<Observation> told = fixture.studies.observations(jobId);
        assertThat(told).hasSize(4);
        assertThat(told).extracting(Observation::trialId).doesNotHaveDuplicates();
    }

    @AfterEach
    void restoreTheMesh() {
        if (terminated) {
            fixture.mesh.restart("worker-1");
        }
    }
}
