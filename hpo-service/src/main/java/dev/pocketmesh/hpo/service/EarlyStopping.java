package dev.pocketmesh.hpo.service;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.hpo.config.HpoConfig;
import dev.pocketmesh.hpo.messaging.MeshPublisher;
import dev.pocketmesh.hpo.store.RungStore;
import dev.pocketmesh.search.Asha;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.state.StudyRecord;
import dev.pocketmesh.state.StudyStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Early stopping of search trials ({@code search.earlyStopping}, ASHA): each epoch a worker reports is checked
 * against the job's rungs; at a rung the trial's validation accuracy joins the rung in Redis and the {@link Asha}
 * rule decides. A trial that should stop gets a PRUNED result on {@code pocketmesh.trials.results}, carrying the
 * metrics it reached: the consumers apply it like any result (the study tells the optimiser the partial value and
 * proposes the next trial at once), and the worker, whose lease ends with the trial, stops training.
 */
@ApplicationScoped
public class EarlyStopping {
    private static final Logger LOG = Logger.getLogger(EarlyStopping.class);
    public static final String PRUNED_AT_EPOCH = "prunedAtEpoch";

    private final StudyStore studies;
    private final TrialStore trials;
    private final RungStore rungs;
    private final MeshPublisher publisher;
    private final HpoConfig config;
    private final String serviceId;

    public EarlyStopping(StudyStore studies, TrialStore trials, RungStore rungs, MeshPublisher publisher,
            HpoConfig config) {
        this.studies = studies;
        this.trials = trials;
        this.rungs = rungs;
        this.publisher = publisher;
        this.config = config;
        this.serviceId = "hpo-service@" + ProcessHandle.current().pid();
    }

    /** Judges one epoch report; returns the PRUNED result it published, if the trial was stopped. */
    public Optional<TrialResult> onProgress(TrialProgress progress) {
        Double value = Objective.partialValue(progress.metrics());
        if (value == null || progress.trialId() == null) {
            return Optional.empty();
        }
        Optional<StudyRecord> study = studies.find(progress.jobId());
        JobSpec.EarlyStopping rule = study.map(s -> s.spec().search().earlyStopping()).orElse(null);
        if (rule == null) {
            return Optional.empty();
        }
        Asha asha = Asha.of(rule);
        if (!asha.isRung(progress.epoch(), progress.totalEpochs())) {
            return Optional.empty();
        }
        // Judge only the attempt that is training now: a late report of an earlier attempt, or of a trial that
        // already ended, changes nothing.
        Optional<TrialRecord> trial = trials.find(progress.trialId());
        if (trial.isEmpty() || trial.get().kind() != TrialKind.SEARCH || trial.get().state() != TrialState.RUNNING
                || trial.get().attempt() != progress.attempt()) {
            return Optional.empty();
        }
        RungStore.Standing standing = rungs.record(progress.jobId(), progress.epoch(), progress.trialId(), value);
        if (asha.continues(standing.reached(), standing.better())) {
            LOG.debugf("study %s: trial %s goes on past epoch %d (%d of %d at the rung did better)",
                    progress.jobId(), progress.trialId(), progress.epoch(), standing.better(), standing.reached());
            return Optional.empty();
        }
        Map<String, Double> metrics = new LinkedHashMap<>(progress.metrics());
        metrics.put(PRUNED_AT_EPOCH, (double) progress.epoch());
        TrialResult pruned = TrialResult.pruned(progress, trial.get().number(), trial.get().config(), metrics,
                serviceId);
        publisher.publishResult(pruned, config.publishTimeout());
        LOG.infof("study %s: trial %s PRUNED after epoch %d of %d (accuracy %.4f; %d of the %d trials at this rung"
                + " did better)", progress.jobId(), progress.trialId(), progress.epoch(), progress.totalEpochs(), value,
                standing.better(), standing.reached());
        return Optional.of(pruned);
    }
}
