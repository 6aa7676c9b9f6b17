package dev.pocketmesh.hpo.service;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.contracts.InvalidMessageException;
import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.device.DeviceProfile;
import dev.pocketmesh.hpo.config.HpoConfig;
import dev.pocketmesh.hpo.messaging.MeshPublisher;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.LearnerDescriptor;
import dev.pocketmesh.learner.PipelineLearner;
import dev.pocketmesh.nn.measure.LatencyModel;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.Optimizers;
import dev.pocketmesh.search.ProjectedSuggestion;
import dev.pocketmesh.search.Sampler;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.state.StudyRecord;
import dev.pocketmesh.state.StudyStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The study logic. All study state is in Redis (StudyStore, TrialStore), so any replica, or this one after a
 * restart, continues where another stopped. The Lua scripts make each step atomic across replicas; the
 * in-process lock per study only saves duplicate work between this replica's handlers and its recovery.
 */
@ApplicationScoped
public class StudyService {
    private static final Logger LOG = Logger.getLogger(StudyService.class);
    private static final int LOCK_STRIPES = 64;

    private final Timer suggestionLatency;
    private final StudyStore studies;
    private final TrialStore trials;
    private final LearnerCatalog learners;
    private final MeshPublisher publisher;
    private final ArtifactStore artifacts;
    private final HpoConfig config;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    public StudyService(StudyStore studies, TrialStore trials, LearnerCatalog learners,
            MeshPublisher publisher, ArtifactStore artifacts, HpoConfig config, MeterRegistry registry) {
        this.suggestionLatency = Timer.builder("pocketmesh.suggestion.latency")
                .description("Time the optimiser takes to suggest one trial's configuration").register(registry);
        this.studies = studies;
        this.trials = trials;
        this.learners = learners;
        this.publisher = publisher;
        this.artifacts = artifacts;
        this.config = config;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Opens the job's study (a repeated START changes nothing) and proposes the first trials. */
    public void start(String jobId, JobSpec spec) {
        if (spec == null || spec.compression() == null || spec.search() == null) {
            throw new InvalidMessageException("START for " + jobId + " lacks a spec with compression and search");
        }
        JobSpec.Search search = spec.search();
        if (search.trials() < 1 || search.parallelism() < 1) {
            throw new InvalidMessageException("START for " + jobId + ": trials and parallelism must be >= 1 (got "
                    + search.trials() + ", " + search.parallelism() + ")");
        }
        SearchSpace space;
        try {
            LearnerDescriptor learner = learners.get(spec.compression().learner());
            space = learner.searchSpace(spec);
            // Fail before the study exists rather than at its first proposal.
            Optimizers.create(search.optimizer(), search.seed());
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException("START for " + jobId + ": " + e.getMessage(), e);
        }
        boolean created = studies.create(jobId, search.optimizer(), search.seed(), search.trials(),
                search.parallelism(), space, spec);
        LOG.infof(created ? "study %s: opened (%s, seed %d, %d trials, %d in parallel, %d parameters)"
                : "study %s: already exists, START repeated (%s, seed %d, %d trials, %d in parallel, %d parameters)",
                jobId, search.optimizer(), search.seed(), search.trials(), search.parallelism(),
                space.parameters().size());
        fill(jobId);
    }

    /** Stops proposing for the job; trials already out finish and are still recorded. */
    public boolean cancel(String jobId) {
        boolean known = studies.cancel(jobId);
        LOG.infof(known ? "study %s: cancelled" : "study %s: CANCEL for an unknown study, nothing to do", jobId);
        return known;
    }

    /**
     * Proposes as many trials as the study's parallelism and budget allow now. Each trial record is created in
     * Redis before its proposal is published, and this returns only once the broker has every proposal.
     */
    public List<Integer> fill(String jobId) {
        ReentrantLock lock = lockFor(jobId);
        lock.lock();
        try {
            List<Integer> numbers = studies.reserveTrialNumbers(jobId);
            if (numbers.isEmpty()) {
                return numbers;
            }
            // From here on, a failure leaves reserved numbers without trials: recover(jobId) repairs that.
            StudyRecord study = studies.find(jobId)
                    .orElseThrow(() -> new IllegalStateException("study " + jobId + " vanished while filling"));
            ProposalFactory factory = new ProposalFactory(study);
            List<TrialProposal> created = new ArrayList<>();
            for (int n : numbers) {
                TrialProposal proposal = factory.proposal(n);
                // false: someone else (recovery on another replica) created it first, and publishes it.
                if (trials.propose(proposal)) {
                    created.add(proposal);
                }
            }
            publisher.publishAll(created, config.publishTimeout());
            LOG.debugf("study %s: proposed trials %s", jobId, numbers);
            return numbers;
        } finally {
            lock.unlock();
        }
    }

    /** What applying one result did, for logging and tests. */
    public record ResultOutcome(TrialStore.CompleteOutcome complete, boolean told, List<Integer> proposed) {
    }

    /**
     * Applies a SEARCH trial's result: completes the trial (idempotent), tells the optimiser once the authoritative
     * record is terminal (once per trial), and always refills, so a crash between tell and fill is repaired by the
     * redelivered result.
     */
    public ResultOutcome onResult(TrialResult result) {
        TrialStore.CompleteOutcome outcome = trials.complete(result);
        Optional<TrialRecord> found = trials.find(result.trialId());
        if (found.isEmpty()) {
            LOG.warnf("result for unknown trial %s (job %s) ignored", result.trialId(), result.jobId());
            return new ResultOutcome(outcome, false, List.of());
        }
        TrialRecord record = found.get();
        String jobId = record.jobId();
        Optional<StudyRecord> study = studies.find(jobId);
        if (study.isEmpty()) {
            LOG.warnf("result for trial %s of job %s, which has no study; ignored", record.trialId(), jobId);
            return new ResultOutcome(outcome, false, List.of());
        }
        boolean told = false;
        if (record.state().isTerminal()) {
            StudyStore.Told t = studies.tell(jobId, observation(study.get(), record));
            told = t.applied();
            if (t.studyCompleted()) {
                LOG.infof("study %s: budget of %d trials spent, study COMPLETED", jobId, study.get().budget());
            }
        } else {
            // A stale attempt's result: the trial's current attempt is still out and will report.
            LOG.debugf("trial %s: %s result for attempt %d not applied (%s, trial is %s)", record.trialId(),
                    result.state(), result.attempt(), outcome, record.state());
        }
        List<Integer> proposed = fill(jobId);
        if (told) {
            logProgress(jobId);
        }
        return new ResultOutcome(outcome, told, proposed);
    }

    /** What a recovery pass did for one study. */
    public record Recovered(int created, int republished, int told, List<Integer> proposed) {
        public boolean changedAnything() {
            return created + republished + told + proposed.size() > 0;
        }
    }

    /**
     * Repairs an open study after a crash: re-creates the trials of numbers reserved but never proposed, re-publishes
     * proposals still waiting for a worker (a worker claims an attempt once, so duplicates are harmless), tells the
     * optimiser about finished trials it missed, and refills.
     */
    public Recovered recover(String jobId) {
        ReentrantLock lock = lockFor(jobId);
        lock.lock();
        try {
            Optional<StudyRecord> found = studies.find(jobId);
            if (found.isEmpty() || found.get().state() != StudyRecord.State.OPEN) {
                return new Recovered(0, 0, 0, List.of());
            }
            StudyRecord study = found.get();
            ProposalFactory factory = new ProposalFactory(study);
            List<TrialProposal> toPublish = new ArrayList<>();
            int created = 0;
            int republished = 0;
            int told = 0;
            for (int n = 1; n <= study.proposed(); n++) {
                Optional<TrialRecord> trial = trials.find(MessageIds.searchTrialId(jobId, n));
                if (trial.isEmpty()) {
                    TrialProposal proposal = factory.proposal(n);
                    if (trials.propose(proposal)) {
                        toPublish.add(proposal);
                        created++;
                    }
                } else if (trial.get().state() == TrialState.PROPOSED) {
                    toPublish.add(trial.get().currentProposal());
                    republished++;
                } else if (trial.get().state().isTerminal()
                        && studies.tell(jobId, observation(study, trial.get())).applied()) {
                    told++;
                }
            }
            publisher.publishAll(toPublish, config.publishTimeout());
            List<Integer> proposed = fill(jobId);
            Recovered recovered = new Recovered(created, republished, told, proposed);
            if (recovered.changedAnything()) {
                LOG.infof("study %s: recovered (re-created %d, re-published %d, told %d missed results, proposed %d new)",
                        jobId, created, republished, told, proposed.size());
            }
            return recovered;
        } finally {
            lock.unlock();
        }
    }

    public Optional<StudyView> view(String jobId) {
        return studies.find(jobId).map(study -> StudyView.of(study, studies.observations(jobId)));
    }

    private void logProgress(String jobId) {
        view(jobId).ifPresent(v -> LOG.infof("study %s: %d/%d told, %d in flight, best %s", jobId, v.study().told(),
                v.study().budget(), v.inFlight(), v.bestValueText()));
    }

    private static Observation observation(StudyRecord study, TrialRecord record) {
        Map<String, Double> target = study.spec().compression().target();
        Double value = record.state() == TrialState.PRUNED ? Objective.partialValue(record.metrics())
                : Objective.value(record.metrics(), target);
        return new Observation(record.number(), record.trialId(), record.config(), value, record.state());
    }


    private ReentrantLock lockFor(String jobId) {
        return locks[Math.floorMod(jobId.hashCode(), LOCK_STRIPES)];
    }

    /**
     * Builds a study's proposals: the sampler chosen by the study's optimiser, fed the study's observations. The
     * history is read once per batch and only when a proposal is actually needed; each proposal of the batch joins
     * it as a pending trial, so a model-based optimiser spreads a batch over several points (constant liar). With a
     * latency target, proposals are screened by their latency estimate before they go out ({@link LatencyScreen}).
     */
    private final class ProposalFactory {
        private final StudyRecord study;
        private Sampler sampler;
        private LatencyScreen latency;
        private List<Observation> history;
        /** Metrics of the finished search trials, for a Pareto study's view of them. */
        private final Map<String, Map<String, Double>> metrics = new java.util.HashMap<>();

        ProposalFactory(StudyRecord study) {
            this.study = study;
        }

        TrialProposal proposal(int number) {
            // The learner turns the suggestion into what is trained (e.g. projected onto a FLOPs target).
            LearnerDescriptor learner = learners.get(study.spec().compression().learner());
            if (sampler == null) {
                sampler = Optimizers.create(study.optimizer(), study.seed());
                latency = latencyScreen(learner);
                history = new ArrayList<>(studies.observations(study.jobId()));
                // Search trials still being trained or measured count as pending points.
                for (TrialRecord t : trials.listForJob(study.jobId())) {
                    if (t.kind() == TrialKind.SEARCH && !t.state().isTerminal()) {
                        history.add(new Observation(t.number(), t.trialId(), t.config(), null, t.state()));
                    } else if (t.kind() == TrialKind.SEARCH && t.metrics() != null) {
                        metrics.put(t.trialId(), t.metrics());
                    }
                }
            }
            List<Observation> seen = study.spec().search().isPareto()
                    ? ParetoHistory.scalarised(history, metrics, study.spec(), study.seed(), number) : history;
            // Stage by stage, a trial searches one stage with the ones before it held; otherwise the whole space.
            PipelineLearner.Phase phase = learner instanceof PipelineLearner pipeline
                    && PipelineLearner.stageByStage(study.spec()) ? pipeline.phase(study.spec(), number, seen)
                    : PipelineLearner.Phase.whole(study.space(), seen, number);
            Map<String, Object> config = suggestionLatency.record(() -> ProjectedSuggestion.next(sampler,
                    study.seed(), phase.space(), phase.history(), phase.localNumber(), suggestion -> {
                        Map<String, Object> merged = new java.util.LinkedHashMap<>(phase.fixed());
                        merged.putAll(suggestion);
                        return learner.complete(merged, study.spec());
                    }, latency::admits));
            String trialId = MessageIds.searchTrialId(study.jobId(), number);
            history.add(new Observation(number, trialId, config, null, TrialState.PROPOSED));
            Double estimate = latency.estimateMs(config);
            if (estimate != null && !latency.admits(config)) {
                LOG.infof("study %s: trial %d proposed estimated at %.3f ms, missing the latency target: no try "
                        + "met it", study.jobId(), number, estimate);
            }
            return TrialProposal.of(study.jobId(), trialId, number, 1, TrialKind.SEARCH, config, study.spec())
                    .withEstimatedLatencyMs(estimate);
        }

        /**
         * The job's latency screen, from the table its device profile's evaluators stored (read, never timed). The
         * screen only saves training time, so a table that cannot be read leaves the proposals unscreened.
         */
        private LatencyScreen latencyScreen(LearnerDescriptor learner) {
            JobSpec spec = study.spec();
            try {
                return LatencyScreen.of(study.jobId(), spec, learner, () -> JobNetwork.resolve(spec),
                        () -> LatencyModel.readTable(artifacts, DeviceProfile.of(spec)));
            } catch (RuntimeException e) {
                LOG.warnf("study %s: latency table of '%s' unreadable, proposals go out unscreened: %s",
                        study.jobId(), DeviceProfile.of(spec), e.getMessage());
                return LatencyScreen.NONE;
            }
        }
    }
}
