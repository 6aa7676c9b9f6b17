package dev.pocketmesh.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.json.Json;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobWatcherTest {
    @Test
    void theProgressLineShowsStateTrialsAndBest() {
        var doc = Json.tree("""
                {"job":{"jobId":"job-1","state":"SEARCHING"},
                 "progress":{"budget":12,"finished":7,"running":3,"bestTrialId":"job-1-t0004","bestValue":0.88123}}""");
        assertThat(JobWatcher.render(doc, Duration.ofSeconds(42)))
                .isEqualTo("[SEARCHING] job-1 | trials 7/12 done, 3 running | best 0.8812 (t0004) | 42s");
    }

    @Test
    void trialsStoppedEarlyAreCounted() {
        var doc = Json.tree("""
                {"job":{"jobId":"job-3","state":"SEARCHING"},"progress":{"budget":18,"finished":9,"running":3,"pruned":5}}""");
        assertThat(JobWatcher.render(doc, Duration.ofSeconds(8)))
                .isEqualTo("[SEARCHING] job-3 | trials 9/18 done, 3 running, 5 stopped early | 8s");
    }

    @Test
    void aFailedJobShowsWhy() {
        var doc = Json.tree("""
                {"job":{"jobId":"job-2","state":"FAILED","message":"no search trial succeeded"},"progress":{}}""");
        assertThat(JobWatcher.render(doc, Duration.ofSeconds(3))).contains("FAILED").endsWith("no search trial succeeded | 3s");
    }

    @Test
    void theLiveTableHasOneProgressBarPerTrialInFlight() {
        var doc = Json.tree("""
                {"job":{"jobId":"job-4","state":"SEARCHING"},"progress":{"budget":8,"finished":2,"running":2,
                 "training":[{"trialId":"job-4-t0003","epoch":1,"totalEpochs":4,"metrics":{"accuracy":0.71234}},
                             {"trialId":"job-4-t0004","epoch":4,"totalEpochs":4}]}}""");
        assertThat(JobWatcher.trialTable(doc)).containsExactly(
                "  t0003    [#####---------------] epoch 1/4  val 0.7123",
                "  t0004    [####################] epoch 4/4");
    }

    @Test
    void noTrialInFlightNoTable() {
        var doc = Json.tree("""
                {"job":{"jobId":"job-5","state":"BASELINE"},"progress":{"budget":8,"finished":0,"running":0}}""");
        assertThat(JobWatcher.trialTable(doc)).isEmpty();
    }
}
