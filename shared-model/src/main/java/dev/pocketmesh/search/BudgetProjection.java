package dev.pocketmesh.search;

import java.util.function.DoublePredicate;

/**
 * Constraint projection by one scale factor: a learner whose per-layer proposal (preserve ratios, densities, bit
 * widths) misses the job's budget scales every searched value by the same factor {@code t}, keeping the proportions
 * the optimiser chose: down ({@code t < 1}) when the proposal costs too much, up ({@code t > 1}, values capped at
 * their maximum) when it leaves budget unused, since a compressed model that may keep more keeps more accuracy.
 * The largest feasible {@code t} is found by bisection. The cost must grow with {@code t}, which holds for every
 * cost model we price (FLOPs, parameters, bits, bytes).
 */
public final class BudgetProjection {
    /** Bisection steps: 2^-40 of the range, far below one channel or one bit. */
    private static final int STEPS = 40;

    private BudgetProjection() {
    }

    /** The largest scale in [0, 1] at which {@code feasibleAt} holds (0 when only the smallest values fit). */
    public static double largestFeasibleScale(DoublePredicate feasibleAt) {
        return largestFeasibleScale(0, 1, feasibleAt);
    }

    /**
     * The largest scale in [lo, hi] at which {@code feasibleAt} holds, given that it holds at {@code lo} (or that
     * {@code lo} is the last resort).
     */
    public static double largestFeasibleScale(double lo, double hi, DoublePredicate feasibleAt) {
        if (feasibleAt.test(hi)) {
            return hi;
        }
        for (int i = 0; i < STEPS; i++) {
            double mid = (lo + hi) / 2;
            if (feasibleAt.test(mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
