package dev.pocketmesh.worker.service;

import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.TrialStore;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.worker.config.LeaseConfig;
import dev.pocketmesh.worker.config.WorkerIdentity;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Heartbeats for the trials this worker trains: renews each lease every ttl/3 on its own thread (training
 * never delays a renewal), and marks the lease lost when a renewal says the trial is no longer ours, when the
 * job reached a terminal state (e.g. CANCELLED), when Redis could not confirm the lease for a whole ttl, or
 * when the application shuts down.
 */
@ApplicationScoped
public class LeaseKeeper {
    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    private final TrialStore trials;
    private final JobStore jobs;
    private final String workerId;
    private final long ttlMs;
    private final ScheduledExecutorService scheduler;
    private final Set<TrialLease> active = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    public LeaseKeeper(TrialStore trials, JobStore jobs, WorkerIdentity identity, LeaseConfig config) {
        this.trials = trials;
        this.jobs = jobs;
        this.workerId = identity.id();
        this.ttlMs = config.ttl().toMillis();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    public long ttlMs() {
        return ttlMs;
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** Starts heart-beating a lease this worker has just claimed. Close it when the attempt is over. */
    public TrialLease hold(String trialId, int attempt, String jobId) {
        TrialLease lease = new TrialLease(trialId, attempt, jobId, this);
        active.add(lease);
        long period = Math.max(10, ttlMs / 3);
        try {
            if (!shuttingDown) {
                lease.heartbeat(scheduler.scheduleAtFixedRate(() -> renew(lease), period, period,
                        TimeUnit.MILLISECONDS));
            }
        } catch (RejectedExecutionException e) {
            // The scheduler is already stopped: we are shutting down.
        }
        if (shuttingDown) {
            // Claimed just as the shutdown began: give it straight back.
            handBack(lease);
        }
        return lease;
    }

    void release(TrialLease lease) {
        active.remove(lease);
    }

    /** One renewal: from the heartbeat, or from the training thread when it {@link TrialLease#confirm confirms}. */
    void renew(TrialLease lease) {
        if (lease.isLost()) {
            return;
        }
        try {
            if (!trials.renewLease(lease.trialId(), lease.attempt(), workerId, ttlMs)) {
                boolean pruned = trials.find(lease.trialId()).map(t -> t.state() == TrialState.PRUNED).orElse(false);
                lease.markLost(pruned ? "stopped early: the study's early stopping PRUNED it"
                        : "lease of attempt " + lease.attempt() + " expired or was taken over");
                return;
            }
            lease.renewed();
            jobs.find(lease.jobId()).filter(job -> job.state().isTerminal())
                    .ifPresent(job -> lease.markLost("job " + job.jobId() + " is " + job.state()));
        } catch (RuntimeException e) {
            // Redis hiccup: keep training while the lease may still be ours; give up once it surely is not.
            LOG.warnf("cannot renew the lease of %s: %s", lease.trialId(), e.getMessage());
            if (lease.millisSinceRenewal() >= ttlMs) {
                lease.markLost("lease not confirmed for " + ttlMs + " ms: " + e.getMessage());
            }
        }
    }

    /**
     * First thing on shutdown (SIGTERM: scale-down, rolling update): stop training at once and hand each running
     * attempt back, so that the reaper re-proposes it on its next round rather than after the lease expires.
     */
    void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        shuttingDown = true;
        active.forEach(this::handBack);
    }

    private void handBack(TrialLease lease) {
        lease.markLost("worker shutting down");
        try {
            if (trials.handBack(lease.trialId(), lease.attempt(), workerId)) {
                LOG.infof("handed %s attempt %d back (shutting down)", lease.trialId(), lease.attempt());
            }
        } catch (RuntimeException e) {
            // Redis unreachable: the lease expires on its own and the reaper takes the trial back then.
            LOG.warnf("could not hand %s back: %s", lease.trialId(), e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        shuttingDown = true;
        active.forEach(lease -> lease.markLost("worker shutting down"));
        scheduler.shutdownNow();
    }
}
