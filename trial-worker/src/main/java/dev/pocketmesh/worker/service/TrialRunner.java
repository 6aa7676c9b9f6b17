package dev.pocketmesh.worker.service;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.LearnerDescriptor;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import dev.pocketmesh.worker.config.WorkerIdentity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The worker's side of the trial protocol (DESIGN §3), for one proposal at a time: claim the attempt under a
 * lease, train with the spec's learner while the lease is renewed, write the candidate, mark it TRAINED and
 * ask the evaluators of the spec's device profile to measure it, or report the learner's failure. Losing the
 * lease at any point means the trial is someone else's now: stop and publish nothing.
 */
@ApplicationScoped
public class TrialRunner {
    private static final Logger LOG = Logger.getLogger(TrialRunner.class);

    private final TrialStore trials;
    private final JobStore jobs;
    private final ArtifactStore artifacts;
    private final LearnerRegistry learners;
    private final LearnerCatalog catalog;
    private final LeaseKeeper leases;
    private final TrialPublisher publisher;
    private final String workerId;

    private final AtomicReference<RunningTrial> current = new AtomicReference<>();
    private final Map<TrialOutcome, LongAdder> outcomes = new EnumMap<>(TrialOutcome.class);
    private final Map<TrialOutcome, Timer> durations = new EnumMap<>(TrialOutcome.class);
    private final Counter started;
    private final LongAdder trainedTrials = new LongAdder();
    private final LongAdder overheadNanos = new LongAdder();
    private final LongAdder brokerAckNanos = new LongAdder();
    private final LongAdder learnerTotalNanos = new LongAdder();

    /** The trial being trained now, for the status endpoint. */
    public record RunningTrial(String trialId, int attempt, String jobId, String learner, Instant startedAt) {
    }

    public TrialRunner(TrialStore trials, JobStore jobs, ArtifactStore artifacts, LearnerRegistry learners,
            LearnerCatalog catalog, LeaseKeeper leases, TrialPublisher publisher, WorkerIdentity identity,
            MeterRegistry registry) {
        this.trials = trials;
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.learners = learners;
        this.catalog = catalog;
        this.leases = leases;
        this.publisher = publisher;
        this.workerId = identity.id();
        for (TrialOutcome outcome : TrialOutcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
        // The worker owns "started" (its claim) and the time an attempt takes it; the orchestrator counts outcomes.
        this.started = Counter.builder("pocketmesh.trials.started").description("Trial attempts claimed and started")
                .register(registry);
        for (TrialOutcome outcome : List.of(TrialOutcome.EVALUATION_REQUESTED, TrialOutcome.FAILED,
                TrialOutcome.ABANDONED)) {
            durations.put(outcome, Timer.builder("pocketmesh.trial.duration")
                    .description("Time a worker spends on one trial attempt, from proposal to what it led to")
                    .tag("outcome", outcome == TrialOutcome.EVALUATION_REQUESTED ? "trained"
                            : outcome.name().toLowerCase())
                    .register(registry));
        }
    }

    public String workerId() {
        return workerId;
    }

    /**
     * Handles one proposal to the end (blocking: it trains). Throws only when the outcome could not be made
     * durable (Redis or the broker unavailable); the caller then nacks the proposal.
     */
    public TrialOutcome run(TrialProposal proposal) {
        long start = System.nanoTime();
        TrialOutcome outcome = handle(proposal);
        outcomes.get(outcome).increment();
        Timer duration = durations.get(outcome);
        if (duration != null) {
            duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        return outcome;
    }

    private TrialOutcome handle(TrialProposal p) {
        long start = System.nanoTime();
        if (leases.shuttingDown()) {
            return TrialOutcome.DEFERRED;
        }
        Optional<JobState> jobState = jobs.find(p.jobId()).map(job -> job.state());
        if (jobState.isPresent() && jobState.get().isTerminal()) {
            LOG.infof("skipping %s attempt %d: job %s is %s", p.trialId(), p.attempt(), p.jobId(), jobState.get());
            return TrialOutcome.SKIPPED;
        }
        TrialStore.ClaimOutcome claim = trials.claim(p.trialId(), p.attempt(), workerId, leases.ttlMs());
        if (claim != TrialStore.ClaimOutcome.CLAIMED) {
            return notClaimed(p, claim);
        }
        started.increment();

        String learnerName = p.spec().compression().learner();
        // Read once: the learner compresses this baseline and the evaluator times the candidate against it.
        Optional<URI> baseline = baselineArtifact(p);
        long learnerNanos;
        URI artifactUri;
        try (TrialLease lease = leases.hold(p.trialId(), p.attempt(), p.jobId())) {
            current.set(new RunningTrial(p.trialId(), p.attempt(), p.jobId(), learnerName, Instant.now()));
            long trainStart = System.nanoTime();
            TrainedCandidate candidate;
            try {
                candidate = train(p, learnerName, lease, baseline);
            } catch (TrialAbandonedException e) {
                LOG.infof("abandoned %s attempt %d: %s", p.trialId(), p.attempt(), e.getMessage());
                return TrialOutcome.ABANDONED;
            } catch (Exception e) {
                if (lease.isLost()) {
                    // The failure may be a consequence of the abandonment; either way the trial is not ours.
                    LOG.infof("abandoned %s attempt %d: %s", p.trialId(), p.attempt(), lease.lostReason());
                    return TrialOutcome.ABANDONED;
                }
                return reportFailure(p, e);
            }
            learnerNanos = System.nanoTime() - trainStart;
            if (lease.isLost()) {
                LOG.infof("abandoned %s attempt %d after training: %s", p.trialId(), p.attempt(), lease.lostReason());
                return TrialOutcome.ABANDONED;
            }
            artifactUri = writeCandidate(p, learnerName, candidate);
            // markTrained checks the lease atomically: a zombie attempt cannot overwrite the reaper's decision.
            if (!trials.markTrained(p.trialId(), p.attempt(), workerId, artifactUri.toString())) {
                LOG.infof("abandoned %s attempt %d: lost the lease before it was marked trained", p.trialId(),
                        p.attempt());
                return TrialOutcome.ABANDONED;
            }
            lease.stopHeartbeat();
        } finally {
            current.set(null);
        }

        long ackStart = System.nanoTime();
        publisher.requestEvaluation(EvaluationRequest.of(p, deviceProfile(p.spec()), artifactUri.toString(),
                workerId, baseline.map(URI::toString).orElse(null)));
        long end = System.nanoTime();
        trainedTrials.increment();
        overheadNanos.add(ackStart - start - learnerNanos);
        learnerTotalNanos.add(learnerNanos);
        brokerAckNanos.add(end - ackStart);
        LOG.infof("trained %s attempt %d in %.1f ms (worker overhead %.2f ms, broker ack %.2f ms)", p.trialId(),
                p.attempt(), (end - start) / 1e6, (ackStart - start - learnerNanos) / 1e6, (end - ackStart) / 1e6);
        return TrialOutcome.EVALUATION_REQUESTED;
    }

    private TrainedCandidate train(TrialProposal p, String learnerName, TrialLease lease, Optional<URI> baseline)
            throws Exception {
        Learner learner = learners.find(learnerName).orElseThrow(() -> new LearnerException(
                "this worker has no learner '" + learnerName + "' (it has " + learners.names() + ")"));
        Map<String, Object> params = p.spec().compression().params() == null ? Map.of()
                : p.spec().compression().params();
        Optional<LearnerDescriptor> descriptor = catalog.find(learnerName);
        if (descriptor.isPresent()) {
            params = descriptor.get().withDefaults(params);
        }
        TrainingContext context = new TrainingContext(p, params, workerId, lease, artifacts, baseline,
                (epoch, total, metrics) -> publisher.progress(TrialProgress.of(p.jobId(), p.trialId(), p.attempt(),
                        workerId, epoch, total, metrics)));
        return learner.train(context);
    }

    /**
     * A proposal we may not run. One case needs action: a redelivered proposal whose attempt is already
     * TRAINED (a worker died between marking it trained and publishing) would leave the trial waiting for an
     * evaluation forever, so its evaluation request is sent again; evaluations are pure, a duplicate is harmless.
     */
    private TrialOutcome notClaimed(TrialProposal p, TrialStore.ClaimOutcome claim) {
        if (claim == TrialStore.ClaimOutcome.STALE) {
            Optional<TrialRecord> record = trials.find(p.trialId());
            if (record.isPresent() && record.get().state() == TrialState.TRAINED
                    && record.get().attempt() == p.attempt() && record.get().artifactUri() != null) {
                publisher.requestEvaluation(EvaluationRequest.of(p, deviceProfile(p.spec()),
                        record.get().artifactUri(), record.get().workerId(),
                        baselineArtifact(p).map(URI::toString).orElse(null)));
                LOG.infof("%s attempt %d was already trained by %s: evaluation request sent again", p.trialId(),
                        p.attempt(), record.get().workerId());
                return TrialOutcome.EVALUATION_RESENT;
            }
            LOG.infof("skipping %s attempt %d: stale (trial is %s)", p.trialId(), p.attempt(),
                    record.map(r -> r.state() + " at attempt " + r.attempt()).orElse("gone"));
        } else if (claim == TrialStore.ClaimOutcome.HELD_ELSEWHERE) {
            LOG.infof("skipping %s attempt %d: another worker holds it", p.trialId(), p.attempt());
        } else {
            LOG.warnf("skipping %s attempt %d: no such trial record (it must be proposed in Redis first)",
                    p.trialId(), p.attempt());
        }
        return TrialOutcome.SKIPPED;
    }

    private TrialOutcome reportFailure(TrialProposal p, Exception e) {
        String error = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getName() : e.getMessage();
        if (e instanceof LearnerException) {
            LOG.infof("learner failed on %s attempt %d: %s", p.trialId(), p.attempt(), error);
        } else {
            LOG.warnf(e, "learner failed unexpectedly on %s attempt %d", p.trialId(), p.attempt());
        }
        // Still under the lease: the reaper must not re-propose the attempt while its result is on the way.
        publisher.reportResult(TrialResult.failed(p.jobId(), p.trialId(), p.trialNumber(), p.attempt(), p.kind(),
                p.config(), error, workerId));
        return TrialOutcome.FAILED;
    }

    private URI writeCandidate(TrialProposal p, String learnerName, TrainedCandidate candidate) {
        String dir = ArtifactStore.attemptDirectory(p.jobId(), p.trialId(), p.kind(), p.attempt());
        candidate.files().forEach((name, bytes) -> artifacts.put(dir + "/" + name, bytes));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("trialId", p.trialId());
        manifest.put("attempt", p.attempt());
        manifest.put("learner", learnerName);
        manifest.put("config", p.config());
        manifest.put("params", p.spec().compression().params());
        manifest.put("workerId", workerId);
        manifest.put("createdAt", Instant.now());
        manifest.put("files", candidate.files().keySet().stream().sorted().toList());
        manifest.put("summary", candidate.summary());
        return artifacts.put(dir + "/manifest.json", Json.write(manifest).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The manifest of the job's trained baseline, which search and final trials compress (none for the baseline
     * trial itself, or while the baseline has no artifact).
     */
    private Optional<URI> baselineArtifact(TrialProposal p) {
        if (p.kind() == dev.pocketmesh.contracts.TrialKind.BASELINE) {
            return Optional.empty();
        }
        return trials.find(dev.pocketmesh.contracts.MessageIds.baselineTrialId(p.jobId()))
                .map(TrialRecord::artifactUri).filter(uri -> uri != null && !uri.isBlank()).map(URI::create);
    }

    static String deviceProfile(JobSpec spec) {
        return dev.pocketmesh.device.DeviceProfile.of(spec);
    }

    public Optional<RunningTrial> current() {
        return Optional.ofNullable(current.get());
    }

    /** Counters since start, for the status endpoint and the mesh-overhead benchmark. */
    public Stats stats() {
        Map<TrialOutcome, Long> counts = new EnumMap<>(TrialOutcome.class);
        outcomes.forEach((k, v) -> counts.put(k, v.sum()));
        long trained = trainedTrials.sum();
        return new Stats(counts, trained, mean(overheadNanos, trained), mean(learnerTotalNanos, trained),
                mean(brokerAckNanos, trained));
    }

    private static double mean(LongAdder nanos, long count) {
        return count == 0 ? 0 : nanos.sum() / 1e6 / count;
    }

    /**
     * @param meanOverheadMs per trained trial: time on the worker outside the learner, from receiving the
     *                       proposal to handing the evaluation request to the producer
     * @param meanLearnerMs   per trained trial: inside the learner (training, progress messages)
     * @param meanBrokerAckMs per trained trial: waiting for the broker to acknowledge the evaluation request
     */
    public record Stats(Map<TrialOutcome, Long> outcomes, long trained, double meanOverheadMs,
            double meanLearnerMs, double meanBrokerAckMs) {
    }
}
