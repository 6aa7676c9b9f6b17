package dev.pocketmesh.orchestrator.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.TrialRecord;
import java.util.List;
import java.util.Map;

/**
 * How far a job's search is: the budget, search trials by state, and the best trial so far (the chosen one once
 * the job is finalizing), with the baseline and final metrics when known.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobProgress(int budget, long proposed, long running, long finished, long evaluated, long failed,
        long pruned, String bestTrialId, Double bestValue, Map<String, Double> bestMetrics,
        Map<String, Double> baseline, Map<String, Double> finalMetrics, List<LiveEpochs.Epoch> training) {

    /** Without live epochs (the report, tests). */
    public static JobProgress of(JobRecord job, List<TrialRecord> trials) {
        return of(job, trials, null);
    }

    /** {@code training}: the latest epoch of every trial (baseline, search, final) that is training now. */
    public static JobProgress of(JobRecord job, List<TrialRecord> trials, LiveEpochs live) {
        List<LiveEpochs.Epoch> training = live == null ? null : live.of(job.jobId(), trials.stream()
                .filter(t -> t.state() == TrialState.RUNNING).map(TrialRecord::trialId).toList());
        List<TrialRecord> search = trials.stream().filter(t -> t.kind() == TrialKind.SEARCH).toList();
        long running = search.stream()
                .filter(t -> t.state() == TrialState.RUNNING || t.state() == TrialState.TRAINED).count();
        long finished = search.stream().filter(t -> t.state().isTerminal()).count();
        long evaluated = count(search, TrialState.EVALUATED);
        Map<String, Double> target = job.spec() == null ? null : job.spec().compression().target();
        BestTrial best = BestTrial.of(search, job.spec()).orElse(null);
        TrialRecord chosen = job.bestTrialId() == null ? null
                : trials.stream().filter(t -> t.trialId().equals(job.bestTrialId())).findFirst().orElse(null);
        TrialRecord bestTrial = chosen != null ? chosen : best == null ? null : best.trial();
        Double bestValue = bestTrial == null ? null
                : dev.pocketmesh.search.Objective.value(bestTrial.metrics(), target);
        return new JobProgress(job.spec() == null ? 0 : job.spec().search().trials(), search.size(), running,
                finished, evaluated, count(search, TrialState.FAILED), count(search, TrialState.PRUNED),
                bestTrial == null ? null : bestTrial.trialId(), bestValue,
                bestTrial == null ? null : bestTrial.metrics(), metrics(trials, TrialKind.BASELINE),
                metrics(trials, TrialKind.FINAL), training);
    }

    private static long count(List<TrialRecord> trials, TrialState state) {
        return trials.stream().filter(t -> t.state() == state).count();
    }

    private static Map<String, Double> metrics(List<TrialRecord> trials, TrialKind kind) {
        return trials.stream().filter(t -> t.kind() == kind && t.state() == TrialState.EVALUATED)
                .map(TrialRecord::metrics).findFirst().orElse(null);
    }
}
