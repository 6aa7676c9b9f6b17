package dev.pocketmesh.search;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The single number a study maximises, and the rule that picks a job's best trial, in one place: the
 * accuracy of the candidate, with every target of the job (e.g. {@code flopsRatio >= 2}) as a hard
 * constraint. An infeasible candidate scores its accuracy minus one, so it ranks below every feasible one
 * but the optimiser still learns which infeasible candidates were closer.
 */
public final class Objective {
    public static final String METRIC = "accuracy";
    private static final double INFEASIBLE_PENALTY = 1.0;

    private Objective() {
    }

    /** The value to maximise, or null when the metrics lack the objective (a failed trial). */
    public static Double value(Map<String, Double> metrics, Map<String, Double> target) {
        if (metrics == null || metrics.get(METRIC) == null) {
            return null;
        }
        double accuracy = metrics.get(METRIC);
        return feasible(metrics, target) ? accuracy : accuracy - INFEASIBLE_PENALTY;
    }

    /**
     * The value of a trial stopped early (PRUNED): its accuracy where it stopped, targets not applied. Its
     * configuration met them by construction (it was projected before it was proposed); it only lacks the final
     * measurement. It is below what the trial would have reached, which is what the optimiser should learn from it.
     */
    public static Double partialValue(Map<String, Double> metrics) {
        return metrics == null ? null : metrics.get(METRIC);
    }

    /**
     * The best of {@code candidates} by objective value (higher wins; a null value never wins), the earlier
     * trial number on a tie: the one rule for "best" used by the optimiser's history and the job's final pick.
     */
    public static <T> Optional<T> best(Collection<T> candidates, Function<T, Double> value, ToIntFunction<T> number) {
        T best = null;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (T candidate : candidates) {
            Double v = value.apply(candidate);
            if (v == null) {
                continue;
            }
            if (best == null || v > bestValue || (v == bestValue && number.applyAsInt(candidate) < number.applyAsInt(best))) {
                best = candidate;
                bestValue = v;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Whether the metrics meet every target; a target the metrics do not report counts as unmet. */
    public static boolean feasible(Map<String, Double> metrics, Map<String, Double> target) {
        if (target == null) {
            return true;
        }
        for (Map.Entry<String, Double> t : target.entrySet()) {
            Double measured = metrics.get(t.getKey());
            // Targets are "at least" reductions (flopsRatio, latencyRatio, ...), 1 % tolerance for rounding.
            if (measured == null || measured < t.getValue() * 0.99) {
                return false;
            }
        }
        return true;
    }
}
