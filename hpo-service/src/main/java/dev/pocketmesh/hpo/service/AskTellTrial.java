package dev.pocketmesh.hpo.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.contracts.TrialState;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * One trial of an ask/tell study, as stored in Redis and shown by the API. States follow Optuna's names
 * (RUNNING until told, then COMPLETE, FAIL or PRUNED); {@link #trialState()} maps them onto the mesh's lifecycle for
 * the samplers, which treat a non-terminal state as a pending point.
 *
 * @param values one per objective; null for a running trial or one told FAIL without values
 * @param intermediate step → value, as reported with the tell (for pruning analyses)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AskTellTrial(int number, Map<String, Object> params, State state, List<Double> values,
        SortedMap<Integer, Double> intermediate) {

    public enum State {
        RUNNING, COMPLETE, FAIL, PRUNED;

        public TrialState trialState() {
            return switch (this) {
                case RUNNING -> TrialState.RUNNING;
                case COMPLETE -> TrialState.EVALUATED;
                case FAIL -> TrialState.FAILED;
                case PRUNED -> TrialState.PRUNED;
            };
        }
    }

    public static AskTellTrial running(int number, Map<String, Object> params) {
        return new AskTellTrial(number, params, State.RUNNING, null, null);
    }

    public AskTellTrial told(State newState, List<Double> newValues, SortedMap<Integer, Double> newIntermediate) {
        return new AskTellTrial(number, params, newState, newValues, newIntermediate);
    }

    /** The single objective's value (convenience for one-objective studies), null when there is none. */
    public Double value() {
        return values == null || values.size() != 1 ? null : values.get(0);
    }
}
