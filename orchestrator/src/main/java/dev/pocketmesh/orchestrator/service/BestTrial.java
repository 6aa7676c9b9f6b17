package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.search.ParetoChoice;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.state.TrialRecord;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The job's best search trial, among the EVALUATED ones: the highest objective (ties: the earlier trial), or, for
 * {@code objective: pareto}, the member of the front the job's rule picks ({@code choice} then says which front and
 * why).
 */
public record BestTrial(TrialRecord trial, double value, ParetoChoice.Choice choice) {

    public static Optional<BestTrial> of(Collection<TrialRecord> trials, JobSpec spec) {
        Map<String, Double> target = spec == null ? null : spec.compression().target();
        if (spec != null && spec.search().isPareto()) {
            return ParetoChoice.ofTrials(trials, spec).flatMap(choice -> trials.stream()
                    .filter(t -> t.trialId().equals(choice.picked().trialId())).findFirst()
                    .map(t -> new BestTrial(t, Objective.value(t.metrics(), target), choice)));
        }
        return Objective.best(trials, t -> value(t, target), TrialRecord::number)
                .map(t -> new BestTrial(t, value(t, target), null));
    }

    /** Only evaluated search trials compete. */
    private static Double value(TrialRecord t, Map<String, Double> target) {
        return evaluatedSearch(t) ? Objective.value(t.metrics(), target) : null;
    }

    private static boolean evaluatedSearch(TrialRecord t) {
        return t.kind() == TrialKind.SEARCH && t.state() == TrialState.EVALUATED;
    }
}
