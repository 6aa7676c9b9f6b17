package dev.pocketmesh.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The lease and completion protocol against a real Redis. */
class TrialStoreTest {
    private final TrialStore store = new TrialStore(RealRedis.client());
    private final String jobId = "job-" + UUID.randomUUID().toString().substring(0, 8);

    private TrialProposal propose(int number) {
        TrialProposal p = TrialProposal.of(jobId, jobId + "-t" + number, number, 1, TrialKind.SEARCH,
                Map.of("ratio.0", 0.5), null);
        assertThat(store.propose(p)).isTrue();
        return p;
    }

    @Test
    void proposingTwiceChangesNothing() {
        TrialProposal p = propose(1);
        assertThat(store.propose(p)).isFalse();
        assertThat(store.listForJob(jobId)).hasSize(1);
    }

    @Test
    void onlyOneOfManyConcurrentWorkersClaimsAnAttempt() throws Exception {
        TrialProposal p = propose(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<TrialStore.ClaimOutcome>> outcomes = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            String worker = "w" + w;
            outcomes.add(pool.submit((Callable<TrialStore.ClaimOutcome>) () ->
                    store.claim(p.trialId(), 1, worker, 5_000)));
        }
        int claimed = 0;
        for (Future<TrialStore.ClaimOutcome> f : outcomes) {
            if (f.get() == TrialStore.ClaimOutcome.CLAIMED) {
                claimed++;
            } else {
                assertThat(f.get()).isEqualTo(TrialStore.ClaimOutcome.HELD_ELSEWHERE);
            }
        }
        pool.shutdown();
        assertThat(claimed).isEqualTo(1);
        assertThat(store.find(p.trialId()).orElseThrow().state()).isEqualTo(TrialState.RUNNING);
        assertThat(store.runningTrialIds()).contains(p.trialId());
    }

    @Test
    void expiredLeaseIsReproposedThenFailedAfterTheLastAttempt() throws Exception {
        TrialProposal p = propose(1);
        assertThat(store.claim(p.trialId(), 1, "w1", 50)).isEqualTo(TrialStore.ClaimOutcome.CLAIMED);
        assertThat(store.reap(p.trialId(), 2).outcome()).isEqualTo(TrialStore.ReapOutcome.ALIVE);
        Thread.sleep(120);
        TrialStore.Reaped reaped = store.reap(p.trialId(), 2);
        assertThat(reaped.outcome()).isEqualTo(TrialStore.ReapOutcome.REPROPOSED);
        assertThat(reaped.attempt()).isEqualTo(2);
        // The dead worker's attempt is stale now; the new attempt can be claimed elsewhere.
        assertThat(store.claim(p.trialId(), 1, "w1", 50)).isEqualTo(TrialStore.ClaimOutcome.STALE);
        assertThat(store.claim(p.trialId(), 2, "w2", 50)).isEqualTo(TrialStore.ClaimOutcome.CLAIMED);
        Thread.sleep(120);
        assertThat(store.reap(p.trialId(), 2).outcome()).isEqualTo(TrialStore.ReapOutcome.FAILED);
        TrialRecord failed = store.find(p.trialId()).orElseThrow();
        assertThat(failed.state()).isEqualTo(TrialState.FAILED);
        assertThat(failed.attempts()).containsExactly("w1#1", "w2#2");
        assertThat(store.finishedSearchTrials(jobId)).isEqualTo(1);
        assertThat(store.runningTrialIds()).doesNotContain(p.trialId());
    }

    @Test
    void renewalKeepsTheLeaseAliveOnlyForItsOwner() throws Exception {
        TrialProposal p = propose(1);
        store.claim(p.trialId(), 1, "w1", 200);
        assertThat(store.renewLease(p.trialId(), 1, "w2", 200)).isFalse();
        for (int i = 0; i < 4; i++) {
            Thread.sleep(100);
            assertThat(store.renewLease(p.trialId(), 1, "w1", 200)).isTrue();
        }
        assertThat(store.reap(p.trialId(), 3).outcome()).isEqualTo(TrialStore.ReapOutcome.ALIVE);
    }

    @Test
    void aResultCountsOnceAndStaleAttemptsAreIgnored() throws Exception {
        TrialProposal p = propose(1);
        store.claim(p.trialId(), 1, "w1", 50);
        Thread.sleep(120);
        store.reap(p.trialId(), 3);
        store.claim(p.trialId(), 2, "w2", 5_000);
        assertThat(store.markTrained(p.trialId(), 2, "w2", "file:///tmp/x")).isTrue();

        TrialResult stale = new TrialResult(1, "m1", jobId, null, p.trialId(), 1, 1, TrialKind.SEARCH,
                TrialState.EVALUATED, p.config(), Map.of("accuracy", 0.1), null, null, "e");
        TrialResult current = new TrialResult(1, "m2", jobId, null, p.trialId(), 1, 2, TrialKind.SEARCH,
                TrialState.EVALUATED, p.config(), Map.of("accuracy", 0.8), null, null, "e");
        assertThat(store.complete(stale)).isEqualTo(TrialStore.CompleteOutcome.STALE);
        assertThat(store.complete(current)).isEqualTo(TrialStore.CompleteOutcome.APPLIED);
        assertThat(store.complete(current)).isEqualTo(TrialStore.CompleteOutcome.DUPLICATE);
        TrialRecord done = store.find(p.trialId()).orElseThrow();
        assertThat(done.state()).isEqualTo(TrialState.EVALUATED);
        assertThat(done.metrics()).containsEntry("accuracy", 0.8);
        assertThat(done.durationMs()).isNotNull();
        assertThat(store.finishedSearchTrials(jobId)).isEqualTo(1);
    }

    @Test
    void aWorkerThatLostItsLeaseCannotMarkTheTrialTrained() throws Exception {
        TrialProposal p = propose(1);
        store.claim(p.trialId(), 1, "w1", 50);
        Thread.sleep(120);
        store.reap(p.trialId(), 3);
        assertThat(store.markTrained(p.trialId(), 1, "w1", "file:///tmp/x")).isFalse();
        assertThat(store.find(p.trialId()).orElseThrow().state()).isEqualTo(TrialState.PROPOSED);
    }
}
