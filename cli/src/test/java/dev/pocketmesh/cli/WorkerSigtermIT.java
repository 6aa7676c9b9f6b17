package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.state.RedisKeys;
import dev.pocketmesh.state.TrialRecord;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One of two workers gets SIGTERM (a scale-down) in the middle of a trial: it hands the trial back at once (lease
 * released, hand-back recorded), the reaper re-proposes it without waiting for the lease to expire, the other
 * worker runs it, and the job completes with every trial counted once. WorkerCrashIT is the SIGKILL case.
 */
class WorkerSigtermIT {
    private final MeshFixture fixture = MeshFixture.get();
    /** The worker this test terminated, restarted after it. */
    private String stopped;

    @Test
    void aTerminatedWorkerHandsItsTrialBackAndItCompletesElsewhere() {
        String jobId = fixture.submit(MeshFixture.simulatedJob("e2e-sigterm", 4, 2, 6000, 3, 7));

        TrialRecord victim = fixture.awaitRunningSearchTrial(jobId);
        String worker = victim.workerId();
        String survivor = MeshFixture.otherWorker(worker);
        String trialId = victim.trialId();
        int attempt = victim.attempt();
        fixture.mesh.terminate(worker, Duration.ofSeconds(30));
        stopped = worker;

        // Handed back on the way out: the hand-back is recorded, the lease is gone before it could expire.
        assertThat(fixture.trials.handedBack(trialId)).containsExactly(worker + "#" + attempt);
        assertThat(fixture.redis.get(RedisKeys.lease(trialId))).isNotEqualTo(worker + "#" + attempt);

        fixture.awaitCompleted(jobId, Duration.ofMinutes(4));

        TrialRecord rerun = fixture.trials.find(trialId).orElseThrow();
        assertThat(rerun.state()).isEqualTo(TrialState.EVALUATED);
        assertThat(rerun.attempt()).isEqualTo(attempt + 1);
        assertThat(rerun.attempts()).containsExactly(worker + "#" + attempt, survivor + "#" + (attempt + 1));
        assertThat(rerun.workerId()).isEqualTo(survivor);
        fixture.assertSearchTrialsEvaluatedAndToldOnce(jobId, 4);
    }

    @AfterEach
    void restoreTheMesh() {
        if (stopped != null) {
            fixture.mesh.restart(stopped);
        }
    }
}
