package dev.pocketmesh.worker.service;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * This worker's hold on one trial attempt while it trains: kept alive by {@link LeaseKeeper}'s heartbeat,
 * and "lost" once a renewal fails (the reaper took the trial), the job ended, or the worker shuts down.
 * Losing it wakes a learner waiting in {@link #awaitLost} at once, so abandonment does not wait for a sleep.
 */
public final class TrialLease implements AutoCloseable {
    private final String trialId;
    private final int attempt;
    private final String jobId;
    private final CountDownLatch lost = new CountDownLatch(1);
    private volatile String lostReason;
    private volatile long lastRenewedNanos = System.nanoTime();
    private volatile ScheduledFuture<?> heartbeat;
    private final LeaseKeeper keeper;

    TrialLease(String trialId, int attempt, String jobId, LeaseKeeper keeper) {
        this.trialId = trialId;
        this.attempt = attempt;
        this.jobId = jobId;
        this.keeper = keeper;
    }

    public String trialId() {
        return trialId;
    }

    public int attempt() {
        return attempt;
    }

    public String jobId() {
        return jobId;
    }

    /**
     * Renews the lease now, on the caller's thread, and says whether it is still held. At an epoch boundary this
     * notices a trial that was stopped early (PRUNED) at once instead of at the next heartbeat.
     */
    public boolean confirm() {
        keeper.renew(this);
        return !isLost();
    }

    public boolean isLost() {
        return lost.getCount() == 0;
    }

    public String lostReason() {
        return lostReason;
    }

    /** Waits up to {@code millis}; true as soon as the lease is lost (also when interrupted). */
    public boolean awaitLost(long millis) {
        try {
            return lost.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            markLost("interrupted");
            return true;
        }
    }

    void markLost(String reason) {
        synchronized (this) {
            if (lostReason == null) {
                lostReason = reason;
            }
        }
        lost.countDown();
        stopHeartbeat();
    }

    void renewed() {
        lastRenewedNanos = System.nanoTime();
    }

    long millisSinceRenewal() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRenewedNanos);
    }

    void heartbeat(ScheduledFuture<?> future) {
        this.heartbeat = future;
    }

    /** Stops renewing (the trial was marked trained, which released the lease, or training ended). */
    public void stopHeartbeat() {
        ScheduledFuture<?> future = heartbeat;
        if (future != null) {
            future.cancel(false);
        }
    }

    @Override
    public void close() {
        stopHeartbeat();
        keeper.release(this);
    }
}
