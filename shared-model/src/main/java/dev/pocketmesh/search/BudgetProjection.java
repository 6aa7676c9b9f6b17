package dev.pocketmesh.search;

import java.util.function.DoublePredicate;

/**
 * Constraint projection by one scale factor: a learner whose per-layer proposal (preserve ratios, densities, bit
 * widths) exceeds the job's budget shrinks every searched value by the same factor {@code t} in [0, 1], keeping the
 * proportions the optimiser chose, and takes the largest {@code t} whose configuration is feasible. The cost must
 * not grow as {@code t} shrinks, which holds for every cost model we price (FLOPs, parameters, bits, bytes).
 */
public final class BudgetProjection {
    /** Bisection steps: 2^-40 of the range, far below one channel or one bit. */
    private static final int STEPS = 40;

    private BudgetProjection() {
    }

    /** The largest scale in [0, 1] at which {@code feasibleAt} holds (0 when only the smallest values fit). */
    public static double largestFeasibleScale(DoublePredicate feasibleAt) {
        if (feasibleAt.test(1.0)) {
            return 1.0;
        }
        double lo = 0;
        double hi = 1;
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
