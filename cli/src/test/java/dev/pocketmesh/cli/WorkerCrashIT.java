package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.state.TrialRecord;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One of two workers is killed (SIGKILL) in the middle of a trial: the reaper re-proposes the trial when its
 * lease expires, the other worker runs it, and the job completes with every trial counted once.
 */
class WorkerCrashIT {
    private final MeshFixture fixture = MeshFixture.get();
    /** The worker this test killed, restarted after it. */
    private String stopped;

    @Test
    void aKilledWorkersTrialIsRerunElsewhereAndCountedOnce() {
        String jobId = fixture.submit(MeshFixture.simulatedJob("e2e-crash", 4, 2, 6000, 3, 5));

        TrialRecord victim = fixture.awaitRunningSearchTrial(jobId);
        String survivor = MeshFixture.otherWorker(victim.workerId());
        fixture.mesh.kill(victim.workerId());
        stopped = victim.workerId();

        fixture.awaitCompleted(jobId, Duration.ofMinutes(4));

        TrialRecord rerun = fixture.trials.find(victim.trialId()).orElseThrow();
        assertThat(rerun.state()).isEqualTo(TrialState.EVALUATED);
        assertThat(rerun.attempt()).isGreaterThanOrEqualTo(2);
        assertThat(rerun.attempts()).first().isEqualTo(stopped + "#1");
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
