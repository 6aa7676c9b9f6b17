package dev.pocketmesh.stats;

/** Quantiles of measured samples (latencies, regrets), the one definition every report and benchmark uses. */
public final class Quantiles {
    private Quantiles() {
    }

    /** The q-quantile (0..1) of ascending {@code sorted}, interpolated linearly between ranks; NaN when empty. */
    public static double of(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
