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
    /**
     * Measured speedup over the baseline, {@code baseline latency / candidate latency} (batch 1, same evaluator run),
     * like {@code flopsRatio}: the target {@code latencyRatio: 2} asks for a candidate at least 2x faster.
     */
    public static final String LATENCY_RATIO = "latencyRatio";
    /** Measured batch-1 median latency in milliseconds; the target {@code latencyMs: 5} asks for at most 5 ms. */
    public static final String LATENCY_MS = "latencyMs";
    /** Mean weight bit width of a quantized model (the evaluator's metric, mixed precision's target). */
    public static final String EQUIVALENT_BITS = "equivalentBits";
    /**
     * Targets known only once a candidate is measured on the job's device profile, for every learner: no projection
     * can make a proposal meet them, so they rank trials (an unmet one is penalised) and decide the final pick.
     */
    public static final java.util.Set<String> MEASURED_TARGETS = java.util.Set.of(LATENCY_RATIO, LATENCY_MS);
    /**
     * Targets that are upper bounds (the measurement must not exceed them): latency in ms, and the mean bit width of a
     * quantized model ({@code equivalentBits: 4} asks for at most 4 bits). Every other target is a lower bound.
     */
    private static final java.util.Set<String> AT_MOST = java.util.Set.of(LATENCY_MS, EQUIVALENT_BITS);
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
        return unmet(metrics, target).isEmpty();
    }

    /**
     * The targets the metrics miss, by key (a target the metrics do not report counts as missed). Targets are "at
     * least" reductions (flopsRatio, latencyRatio, ...) except the upper bounds (latencyMs); 1 % tolerance for
     * rounding either way.
     */
    public static java.util.List<String> unmet(Map<String, Double> metrics, Map<String, Double> target) {
        java.util.List<String> unmet = new java.util.ArrayList<>();
        if (target == null) {
            return unmet;
        }
        for (Map.Entry<String, Double> t : target.entrySet()) {
            Double measured = metrics == null ? null : metrics.get(t.getKey());
            boolean met = measured != null && (AT_MOST.contains(t.getKey()) ? measured <= t.getValue() * 1.01
                    : measured >= t.getValue() * 0.99);
            if (!met) {
                unmet.add(t.getKey());
            }
        }
        return unmet;
    }
}
