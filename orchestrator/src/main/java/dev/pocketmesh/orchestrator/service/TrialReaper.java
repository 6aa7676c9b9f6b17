package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.orchestrator.config.OrchestratorConfig;
import dev.pocketmesh.orchestrator.messaging.MeshPublisher;
import dev.pocketmesh.orchestrator.metrics.OrchestratorMetrics;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;

/**
 * Finds trials whose worker stopped renewing its lease (it died) and re-proposes them with the next attempt
 * number, or, after the last allowed attempt, fails them and publishes the FAILED result so that the optimiser
 * learns and the job moves on. The store's REAP script is atomic, so any number of orchestrator replicas can run
 * this at once and each expired attempt is handled by exactly one.
 */
@ApplicationScoped
public class TrialReaper {
    public static final String REPORTER = "orchestrator-reaper";
    private static final Logger LOG = Logger.getLogger(TrialReaper.class);

    private final TrialStore trials;
    private final JobStore jobs;
    private final JobEvents events;
    private final MeshPublisher publisher;
    private final OrchestratorConfig config;
    private final OrchestratorMetrics metrics;
    /** Messages the store already committed to but Kafka did not take yet; retried on the next round. */
    private final Queue<Runnable> unpublished = new ConcurrentLinkedQueue<>();

    public TrialReaper(TrialStore trials, JobStore jobs, JobEvents events, MeshPublisher publisher,
            OrchestratorConfig config, OrchestratorMetrics metrics) {
        this.metrics = metrics;
        this.trials = trials;
        this.jobs = jobs;
        this.events = events;
        this.publisher = publisher;
        this.config = config;
    }

    void announce(@Observes StartupEvent event) {
        LOG.infof("Reaper every %s: re-proposes trials whose lease (ttl %s) expired, fails them after %d attempts",
                config.reaper().interval(), config.lease().ttl(), config.trial().maxAttempts());
        if (config.reaper().interval().compareTo(config.lease().ttl()) > 0) {
            LOG.warnf("pocketmesh.reaper.interval (%s) is longer than pocketmesh.lease.ttl (%s): dead workers' trials "
                    + "wait longer than their lease to be re-proposed", config.reaper().interval(), config.lease().ttl());
        }
    }

    @Scheduled(identity = "trial-reaper", every = "${pocketmesh.reaper.interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        retryUnpublished();
        for (String trialId : trials.runningTrialIds()) {
            try {
                reap(trialId);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Reaping trial %s failed", trialId);
            }
        }
    }

    /** One reaper step for one trial (public for tests and tooling). */
    public TrialStore.ReapOutcome reap(String trialId) {
        TrialStore.Reaped reaped = trials.reap(trialId, config.trial().maxAttempts());
        if (reaped.outcome() == TrialStore.ReapOutcome.ALIVE) {
            return reaped.outcome();
        }
        TrialRecord trial = trials.find(trialId).orElseThrow();
        Optional<JobRecord> job = jobs.find(trial.jobId());
        if (reaped.outcome() == TrialStore.ReapOutcome.REPROPOSED) {
            String previous = trial.attempts().isEmpty() ? "" : trial.attempts().get(trial.attempts().size() - 1);
            String message = (trials.handedBack(trialId).contains(previous)
                    ? "handed back by " + previous.substring(0, previous.lastIndexOf('#')) + " (shutting down)"
                    : "lease expired") + " on attempt " + (reaped.attempt() - 1) + "; re-proposed as attempt "
                    + reaped.attempt();
            LOG.infof("Trial %s: %s", trialId, message);
            if (job.isPresent() && job.get().state().isTerminal()) {
                LOG.infof("Trial %s not re-sent: job %s is %s", trialId, trial.jobId(), job.get().state());
                return reaped.outcome();
            }
            TrialProposal next = trial.proposal().nextAttempt(reaped.attempt());
            publishOrRetry(() -> publisher.proposal(next));
            event(job, JobEvent.trialUpdated(trial.jobId(), trialId, TrialState.PROPOSED, message,
                    JobLifecycle.trialData(trial)));
        } else {
            LOG.warnf("Trial %s failed: %s", trialId, trial.error());
            metrics.trialFinished(TrialState.FAILED);
            TrialResult failed = TrialResult.failed(trial.jobId(), trialId, trial.proposal().trialNumber(),
                    reaped.attempt(), trial.kind(), trial.config(), trial.error(), REPORTER);
            // Published, not applied here: the results consumers (ours, the hpo-service's) move job and study on.
            publishOrRetry(() -> publisher.result(failed));
            event(job, JobEvent.trialUpdated(trial.jobId(), trialId, TrialState.FAILED, trial.error(),
                    JobLifecycle.trialData(trial)));
        }
        return reaped.outcome();
    }

    private void event(Optional<JobRecord> job, JobEvent event) {
        try {
            if (job.isPresent()) {
                events.emit(event);
            } else {
                events.publishOnly(event);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not publish the event of trial %s", event.trialId());
        }
    }

    private void publishOrRetry(Runnable send) {
        try {
            send.run();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Publishing failed; retrying on the next reaper round");
            unpublished.add(send);
        }
    }

    private void retryUnpublished() {
        for (int n = unpublished.size(); n > 0; n--) {
            Runnable send = unpublished.poll();
            if (send != null) {
                publishOrRetry(send);
            }
        }
    }
}
