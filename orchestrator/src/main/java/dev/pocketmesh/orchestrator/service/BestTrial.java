package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.state.TrialRecord;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** The job's best search trial: the EVALUATED one with the highest objective (ties: the earlier trial). */
public record BestTrial(TrialRecord trial, double value) {

    public static Optional<BestTrial> of(Collection<TrialRecord> trials, Map<String, Double> target) {
        return Objective.best(trials, t -> value(t, target), TrialRecord::number)
                .map(t -> new BestTrial(t, value(t, target)));
    }

    /** Only evaluated search trials compete. */
    private static Double value(TrialRecord t, Map<String, Double> target) {
        return t.kind() == TrialKind.SEARCH && t.state() == TrialState.EVALUATED ? Objective.value(t.metrics(), target)
                : null;
    }
}
