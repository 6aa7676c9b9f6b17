package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.StudyCommand;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.orchestrator.messaging.MeshPublisher;
import dev.pocketmesh.orchestrator.metrics.OrchestratorMetrics;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import dev.pocketmesh.state.TrialStore.CompleteOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The job state machine: SUBMITTED → BASELINE → SEARCHING → FINALIZING → COMPLETED, or REJECTED / FAILED /
 * CANCELLED. Every step is driven by a durable input (a submission, a trial result) and is safe to repeat:
 * state changes are compare-and-set in Redis (only the winner acts), trials are created before they are
 * published, and a redelivered input repairs a step a crash interrupted instead of doing it twice.
 */
@ApplicationScoped
public class JobLifecycle {
    private static final Logger LOG = Logger.getLogger(JobLifecycle.class);
    static final Set<JobState> NON_TERMINAL = EnumSet.copyOf(
            Arrays.stream(JobState.values()).filter(s -> !s.isTerminal()).toList());

    private final JobStore jobs;
    private final TrialStore trials;
    private final LearnerCatalog learners;
    private final JobEvents events;
    private final MeshPublisher publisher;
    private final JobReports reports;
    private final LiveEpochs liveEpochs;
    private final OrchestratorMetrics metrics;

    public JobLifecycle(JobStore jobs, TrialStore trials, LearnerCatalog learners, JobEvents events,
            MeshPublisher publisher, JobReports reports, LiveEpochs liveEpochs, OrchestratorMetrics metrics) {
        this.liveEpochs = liveEpochs;
        this.metrics = metrics;
        this.jobs = jobs;
        this.trials = trials;
        this.learners = learners;
        this.events = events;
        this.publisher = publisher;
        this.reports = reports;
    }

    // --- intake -------------------------------------------------------------------------------------------

    public record Accepted(String jobId, JobState state, boolean created) {
    }

    /**
     * Stores a valid job and starts its baseline. If the id is taken, nothing is created ({@code created} false)
     * but a job stuck before its baseline trial was published (a crash half-way) is moved on.
     */
    public Accepted accept(String jobId, JobSpec spec) {
        boolean created = jobs.create(jobId, spec.name(), JobState.SUBMITTED, spec, "accepted", null);
        if (created) {
            events.emit(JobEvent.stateChanged(jobId, JobState.SUBMITTED, "accepted", null,
                    JobEvents.data("name", spec.name(), "learner", spec.compression().learner(),
                            "trials", spec.search().trials())));
        }
        JobRecord job = jobs.find(jobId).orElseThrow();
        if (job.spec() != null && (job.state() == JobState.SUBMITTED || job.state() == JobState.BASELINE)) {
            startBaseline(job);
        }
        return new Accepted(jobId, jobs.find(jobId).map(JobRecord::state).orElse(job.state()), created);
    }

    /** Stores a refused job (its spec is null, its errors say why) and announces it; false if the id is taken. */
    public boolean reject(String jobId, String name, List<FieldError> errors) {
        String message = "rejected: " + errors.size() + " invalid field" + (errors.size() == 1 ? "" : "s");
        if (!jobs.create(jobId, name, JobState.REJECTED, null, message, errors)) {
            return false;
        }
        events.emit(JobEvent.stateChanged(jobId, JobState.REJECTED, message, errors, null));
        return true;
    }

    private void startBaseline(JobRecord job) {
        JobSpec spec = job.spec();
        Map<String, Object> config = learners.get(spec.compression().learner())
                .baselineConfig(spec);
        TrialProposal baseline = TrialProposal.of(job.jobId(), MessageIds.baselineTrialId(job.jobId()),
                TrialStore.BASELINE_NUMBER, 1, TrialKind.BASELINE, config, spec);
        // The record first: a worker only runs a trial it can claim in Redis.
        boolean proposedNow = trials.propose(baseline);
        boolean moved = events.transition(job.jobId(), Set.of(JobState.SUBMITTED), JobState.BASELINE,
                "measuring the uncompressed model", null, JobEvents.data("trialId", baseline.trialId()));
        if (moved || jobs.find(job.jobId()).map(j -> j.state() == JobState.BASELINE).orElse(false)) {
            publishIfStillProposed(baseline, proposedNow);
        }
    }

    /**
     * Publishes a trial we just created, or re-publishes the stored proposal of one that is still waiting for its
     * first claim (a crash may have come between storing and publishing; a second copy is skipped by workers).
     */
    private void publishIfStillProposed(TrialProposal proposal, boolean proposedNow) {
        if (proposedNow) {
            publisher.proposal(proposal);
            return;
        }
        trials.find(proposal.trialId())
                .filter(t -> t.state() == TrialState.PROPOSED && t.attempt() == 1 && t.attempts().isEmpty())
                .ifPresent(t -> publisher.proposal(t.proposal()));
    }

    // --- results ------------------------------------------------------------------------------------------

    /** Applies a trial result (idempotently) and moves the job on if the result finishes a stage. */
    public void onResult(TrialResult result) {
        Optional<String> extraProfile = MessageIds.extraProfileOf(result.jobId(), result.trialId());
        if (extraProfile.isPresent()) {
            onExtraProfile(extraProfile.get(), result);
            return;
        }
        CompleteOutcome outcome = trials.complete(result);
        Optional<TrialRecord> stored = trials.find(result.trialId());
        if (stored.isEmpty()) {
            LOG.warnf("Result for unknown trial %s (job %s) ignored", result.trialId(), result.jobId());
            return;
        }
        TrialRecord trial = stored.get();
        if (outcome == CompleteOutcome.APPLIED) {
            metrics.trialFinished(trial.state());
            events.emit(JobEvent.trialUpdated(trial.jobId(), trial.trialId(), trial.state(),
                    trial.kind() + " trial " + trial.state().name().toLowerCase(), trialData(trial)));
        } else {
            LOG.debugf("Result for trial %s attempt %d: %s", result.trialId(), result.attempt(), outcome);
        }
        if (!trial.state().isTerminal() || (outcome != CompleteOutcome.APPLIED
                && outcome != CompleteOutcome.DUPLICATE)) {
            return;
        }
        Optional<JobRecord> found = jobs.find(trial.jobId());
        if (found.isEmpty() || found.get().state().isTerminal() || found.get().spec() == null) {
            return; // results of cancelled or finished jobs are recorded above and change nothing else
        }
        JobRecord job = found.get();
        switch (trial.kind()) {
            case BASELINE -> onBaseline(job, trial, outcome);
            case SEARCH -> {
                if (job.state() == JobState.SEARCHING || job.state() == JobState.FINALIZING) {
                    maybeFinalize(job);
                }
            }
            case FINAL -> onFinal(job, trial);
        }
    }

    private void onBaseline(JobRecord job, TrialRecord baseline, CompleteOutcome outcome) {
        String jobId = job.jobId();
        if (baseline.state() == TrialState.EVALUATED) {
            boolean moved = events.transition(jobId, Set.of(JobState.BASELINE), JobState.SEARCHING,
                    "baseline measured; searching " + job.spec().search().trials() + " trials",
                    null, JobEvents.data("baseline", baseline.metrics()));
            // A repeated baseline result while SEARCHING re-sends START: the crash may have come between the CAS
            // and the publish, and the hpo-service opens a study once whatever it receives.
            boolean repair = !moved && outcome == CompleteOutcome.DUPLICATE
                    && jobs.find(jobId).map(j -> j.state() == JobState.SEARCHING).orElse(false);
            if (moved || repair) {
                publisher.study(StudyCommand.start(jobId, job.spec(), baseline.metrics()));
            }
        } else {
            fail(jobId, Set.of(JobState.BASELINE), "baseline trial " + baseline.state().name().toLowerCase()
                    + (baseline.error() == null ? "" : ": " + baseline.error()));
        }
    }

    /** Once every search trial of the budget is finished, picks the best one and proposes its final retraining. */
    private void maybeFinalize(JobRecord job) {
        String jobId = job.jobId();
        JobSpec spec = job.spec();
        long finished = trials.finishedSearchTrials(jobId);
        if (finished < spec.search().trials()) {
            return;
        }
        List<TrialRecord> all = trials.listForJob(jobId);
        Optional<BestTrial> best = BestTrial.of(all, spec);
        if (best.isEmpty()) {
            long failed = all.stream().filter(t -> t.kind() == TrialKind.SEARCH && t.state() == TrialState.FAILED)
                    .count();
            long pruned = all.stream().filter(t -> t.kind() == TrialKind.SEARCH && t.state() == TrialState.PRUNED)
                    .count();
            fail(jobId, Set.of(JobState.SEARCHING), "no search trial was evaluated (" + finished + " finished: "
                    + failed + " failed, " + pruned + " pruned); nothing to finalize");
            return;
        }
        TrialRecord winner = best.get().trial();
        Optional<String> missed = missedMeasuredTarget(spec, winner);
        if (missed.isPresent()) {
            fail(jobId, Set.of(JobState.SEARCHING), missed.get());
            return;
        }
        jobs.setBestTrial(jobId, winner.trialId());
        TrialProposal fin = TrialProposal.of(jobId, MessageIds.finalTrialId(jobId), TrialStore.FINAL_NUMBER, 1,
                TrialKind.FINAL, winner.config(), spec);
        boolean proposedNow = trials.propose(fin);
        boolean moved = events.transition(jobId, Set.of(JobState.SEARCHING), JobState.FINALIZING,
                "search done; retraining best trial " + winner.trialId() + (best.get().choice() == null ? ""
                        : " (" + best.get().choice().reason() + "; Pareto front of "
                                + best.get().choice().front().size() + ")"),
                null, JobEvents.data("bestTrialId", winner.trialId(), "bestValue", best.get().value(),
                        "bestMetrics", winner.metrics(), "config", winner.config(), "pick",
                        best.get().choice() == null ? null : best.get().choice().reason(), "paretoFront",
                        best.get().choice() == null ? null : best.get().choice().front().size()));
        if (moved || jobs.find(jobId).map(j -> j.state() == JobState.FINALIZING).orElse(false)) {
            publishIfStillProposed(fin, proposedNow);
        }
    }

    /**
     * Why the best trial cannot be the final model: a latency target (known only once measured, so no proposal is
     * feasible by construction) that even the best trial missed; infeasible trials rank below feasible ones, so
     * then no trial met it. Empty when the winner meets every measured target.
     */
    static Optional<String> missedMeasuredTarget(JobSpec spec, TrialRecord winner) {
        Map<String, Double> measured = new java.util.LinkedHashMap<>();
        if (spec.compression().target() != null) {
            spec.compression().target().forEach((k, v) -> {
                if (Objective.MEASURED_TARGETS.contains(k)) {
                    measured.put(k, v);
                }
            });
        }
        List<String> unmet = Objective.unmet(winner.metrics(), measured);
        if (unmet.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder why = new StringBuilder("no search trial met ");
        for (String key : unmet) {
            Double got = winner.metrics() == null ? null : winner.metrics().get(key);
            why.append("compression.target.").append(key)
                    .append(Objective.LATENCY_MS.equals(key) ? " <= " : " >= ").append(measured.get(key))
                    .append(" on device profile '").append(spec.evaluation().device()).append("' (best trial ")
                    .append(winner.trialId()).append(" measured ").append(got == null ? "nothing" : String.format(
                            java.util.Locale.ROOT, "%.3f", got)).append("); ");
        }
        return Optional.of(why.append("relax the target or search more trials").toString());
    }

    private void onFinal(JobRecord job, TrialRecord fin) {
        if (job.state() != JobState.FINALIZING) {
            return;
        }
        if (fin.state() != TrialState.EVALUATED) {
            fail(job.jobId(), Set.of(JobState.FINALIZING), "final trial " + fin.state().name().toLowerCase()
                    + (fin.error() == null ? "" : ": " + fin.error()));
            return;
        }
        List<String> awaited = awaitedProfiles(job);
        if (!awaited.isEmpty()) {
            // Also after a redelivered FINAL result: a crash may have come before every request was sent, and an
            // evaluator measures a duplicate harmlessly (the first result per profile counts).
            requestExtraMeasurements(job, fin, awaited);
            return;
        }
        complete(job, fin);
    }

    /**
     * The final model, evaluated on {@code evaluation.device}, goes to the evaluators of each extra profile on their
     * own topics; the job stays FINALIZING until every one has answered.
     */
    private void requestExtraMeasurements(JobRecord job, TrialRecord fin, List<String> profiles) {
        String baseline = trials.find(MessageIds.baselineTrialId(job.jobId())).map(TrialRecord::artifactUri)
                .orElse(null);
        for (String profile : profiles) {
            publisher.evaluation(EvaluationRequest.finalOnProfile(fin.proposal(), profile, fin.artifactUri(),
                    fin.workerId(), baseline));
        }
        events.emit(JobEvent.trialUpdated(job.jobId(), fin.trialId(), fin.state(), "final model evaluated on '"
                + job.spec().evaluation().device() + "'; measuring it on " + String.join(", ", profiles),
                JobEvents.data("kind", TrialKind.FINAL, "awaitedProfiles", profiles)));
    }

    /** The job's extra device profiles whose measurement of the final model has not arrived yet. */
    private List<String> awaitedProfiles(JobRecord job) {
        List<String> extra = job.spec().evaluation().alsoMeasureOn();
        if (extra.isEmpty()) {
            return List.of();
        }
        Set<String> measured = jobs.profileMeasurements(job.jobId()).keySet();
        return extra.stream().filter(p -> !measured.contains(p)).toList();
    }

    /**
     * The final model's result on one extra profile: kept under the job (the FINAL trial's record holds the primary
     * profile's), and once every extra profile answered, the job completes. A profile whose evaluator could not
     * measure (FAILED) does not fail the job: the model was found and evaluated on the profile that drove the search;
     * the completion message and the report's profile table say which profile failed and why.
     */
    private void onExtraProfile(String profile, TrialResult result) {
        Optional<JobRecord> found = jobs.find(result.jobId());
        if (found.isEmpty() || found.get().spec() == null
                || !found.get().spec().evaluation().alsoMeasureOn().contains(profile)) {
            LOG.warnf("Result %s names device profile '%s', which job %s does not measure on; ignored",
                    result.trialId(), profile, result.jobId());
            return;
        }
        if (jobs.recordProfileMeasurement(profile, result)) {
            events.emit(JobEvent.trialUpdated(result.jobId(), result.trialId(), result.state(), "final model on '"
                    + profile + "' " + result.state().name().toLowerCase()
                    + (result.error() == null ? "" : ": " + result.error()),
                    JobEvents.data("kind", TrialKind.FINAL, "deviceProfile", profile, "metrics", result.metrics(),
                            "error", result.error(), "measuredBy", result.reportedBy())));
        }
        JobRecord job = found.get();
        if (job.state() != JobState.FINALIZING || !awaitedProfiles(job).isEmpty()) {
            return;
        }
        trials.find(MessageIds.finalTrialId(job.jobId())).filter(t -> t.state() == TrialState.EVALUATED)
                .ifPresent(fin -> complete(job, fin));
    }

    private void complete(JobRecord job, TrialRecord fin) {
        StringBuilder message = new StringBuilder("completed; best trial " + job.bestTrialId());
        jobs.profileMeasurements(job.jobId()).forEach((profile, r) -> {
            if (r.state() != TrialState.EVALUATED) {
                message.append("; not measured on '").append(profile).append("' (evaluation.alsoMeasureOn): ")
                        .append(r.error());
            }
        });
        // The report is written before the state says COMPLETED, so whoever sees COMPLETED can fetch it.
        JobReports.Written written = reports.write(job.jobId(), JobState.COMPLETED, message.toString());
        events.transition(job.jobId(), Set.of(JobState.FINALIZING), JobState.COMPLETED, message.toString(), null,
                JobEvents.data("final", fin.metrics(), "ratios", written.report().ratios(),
                        "bestTrialId", job.bestTrialId(), "report", written.json().toString(),
                        "reportMarkdown", written.markdown().toString()));
        liveEpochs.forget(job.jobId());
    }

    /**
     * Fails a running job from outside its trials (its device profile lost every evaluator) and closes its study, so
     * the optimiser stops proposing trials nobody will measure.
     */
    public void failRunning(String jobId, String message) {
        Set<JobState> running = EnumSet.of(JobState.BASELINE, JobState.SEARCHING, JobState.FINALIZING);
        if (events.transition(jobId, running, JobState.FAILED, message, null, null)) {
            LOG.warnf("Job %s failed: %s", jobId, message);
            publisher.study(StudyCommand.cancel(jobId));
            reports.writeQuietly(jobId);
            liveEpochs.forget(jobId);
        }
    }

    private void fail(String jobId, Set<JobState> from, String message) {
        if (events.transition(jobId, from, JobState.FAILED, message, null, null)) {
            LOG.warnf("Job %s failed: %s", jobId, message);
            reports.writeQuietly(jobId);
            liveEpochs.forget(jobId);
        }
    }

    // --- progress and cancel ------------------------------------------------------------------------------

    /** Relays a worker's epoch report to job followers; not stored (one per epoch per trial is too many). */
    public void onProgress(TrialProgress progress) {
        liveEpochs.record(progress);
        jobs.appendEpoch(progress);
        events.publishOnly(JobEvent.trialProgress(progress.jobId(), progress.trialId(),
                JobEvents.data("attempt", progress.attempt(), "workerId", progress.workerId(),
                        "epoch", progress.epoch(), "totalEpochs", progress.totalEpochs(),
                        "metrics", progress.metrics())));
    }

    public enum CancelOutcome {
        CANCELLED, NOT_FOUND, ALREADY_TERMINAL
    }

    public CancelOutcome cancel(String jobId) {
        Optional<JobRecord> job = jobs.find(jobId);
        if (job.isEmpty()) {
            return CancelOutcome.NOT_FOUND;
        }
        if (job.get().state().isTerminal()) {
            return CancelOutcome.ALREADY_TERMINAL;
        }
        if (!events.transition(jobId, NON_TERMINAL, JobState.CANCELLED, "cancelled", null,
                JobEvents.data("previousState", job.get().state()))) {
            return CancelOutcome.ALREADY_TERMINAL; // it reached a terminal state meanwhile
        }
        publisher.study(StudyCommand.cancel(jobId));
        reports.writeQuietly(jobId);
        return CancelOutcome.CANCELLED;
    }

    static Map<String, Object> trialData(TrialRecord t) {
        return JobEvents.data("kind", t.kind(), "number", t.proposal().trialNumber(), "attempt", t.attempt(),
                "workerId", t.workerId() == null || t.workerId().isEmpty() ? null : t.workerId(),
                "metrics", t.metrics() == null || t.metrics().isEmpty() ? null : t.metrics(),
                "error", t.error(), "artifactUri", t.artifactUri());
    }
}
