package dev.pocketmesh.nn.compress;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a quantization range is chosen from sample values (weights, or activations of calibration images):
 * <ul>
 * <li>{@code minmax}: the full range; one outlier stretches the step for every other value;</li>
 * <li>{@code percentile}: the central {@code percentile} % of the values (of |x| for a symmetric scheme); the rest
 * are clipped;</li>
 * <li>{@code mse}: the clipping range, among 100 shrinkings of the full one, whose quantization has the least
 * mean squared error on the values: it clips a tail only where that costs less than the coarser step a wider range
 * brings (rare far outliers may be kept);</li>
 * <li>{@code kl}: TensorRT's entropy calibration: a 2048-bin histogram of |x| (the zero bin counted as its
 * neighbour, so that ReLU's spike at zero does not decide), and the threshold whose quantized histogram diverges
 * least (Kullback-Leibler) from the clipped original.</li>
 * </ul>
 * Every method but minmax clips outliers; none returns a range wider than the values'.
 */
public enum Calibration {
    MINMAX, PERCENTILE, MSE, KL;

    /** Values looked at, at most: a seeded-stride subsample keeps calibration fast on large activation sets. */
    static final int MAX_SAMPLES = 1 << 18;
    private static final int KL_BINS = 2048;

    public record Range(float lo, float hi) {
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Calibration fromName(String name) {
        for (Calibration c : values()) {
            if (c.id().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown calibration '" + name + "'; one of minmax, percentile, mse, kl");
    }

    /**
     * @param percentile used by {@link #PERCENTILE} only, e.g. 99.99
     */
    public Range range(float[] values, QuantScheme scheme, double percentile) {
        if (values.length == 0) {
            return new Range(0, 0);
        }
        float[] v = subsample(values);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return switch (this) {
            case MINMAX -> new Range(min, max);
            case PERCENTILE -> percentile(v, scheme, percentile, min, max);
            case MSE -> mse(v, scheme, min, max);
            case KL -> kl(v, scheme, min, max);
        };
    }

    private static Range percentile(float[] v, QuantScheme scheme, double p, float min, float max) {
        float[] sorted = v.clone();
        if (scheme.symmetric() || min >= 0) {
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] = Math.abs(sorted[i]);
            }
            Arrays.sort(sorted);
            float t = quantile(sorted, p / 100);
            return new Range(Math.max(min, -t), Math.min(max, t));
        }
        Arrays.sort(sorted);
        return new Range(quantile(sorted, 1 - p / 100), quantile(sorted, p / 100));
    }

    private static float quantile(float[] sorted, double q) {
        double pos = Math.max(0, Math.min(1, q)) * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return (float) (sorted[i] + (pos - i) * (sorted[j] - sorted[i]));
    }

    private static Range mse(float[] v, QuantScheme scheme, float min, float max) {
        Range best = new Range(min, max);
        double bestError = Double.POSITIVE_INFINITY;
        for (int k = 100; k >= 1; k--) {
            Range candidate = new Range(min * k / 100f, max * k / 100f);
            double error = squaredError(v, scheme, candidate);
            if (error < bestError) {
                bestError = error;
                best = candidate;
            }
        }
        return best;
    }

    static double squaredError(float[] v, QuantScheme scheme, Range r) {
        QuantParams p = QuantParams.fromRanges(new float[] {r.lo()}, new float[] {r.hi()}, scheme);
        float scale = p.scaleOf(0);
        int zero = p.zeroOf(0);
        double sum = 0;
        for (float x : v) {
            double d = x - UniformQuantizer.value(UniformQuantizer.code(x, scale, zero, scheme), scale, zero);
            sum += d * d;
        }
        return sum / v.length;
    }

    private static Range kl(float[] v, QuantScheme scheme, float min, float max) {
        float absMax = Math.max(Math.abs(min), Math.abs(max));
        if (absMax == 0) {
            return new Range(0, 0);
        }
        double[] hist = new double[KL_BINS];
        double width = absMax / KL_BINS;
        for (float x : v) {
            hist[Math.min(KL_BINS - 1, (int) (Math.abs(x) / width))]++;
        }
        // ReLU outputs put a spike at zero that would dominate both distributions whatever the threshold; like
        // NVIDIA's calibrator, count the zero bin as its neighbour.
        hist[0] = hist[1];
        // Levels available on one side of zero: half the codes for a symmetric scheme or signed data.
        int levels = scheme.symmetric() || min < 0 ? (scheme.qmax() - scheme.qmin() + 1) / 2
                : scheme.qmax() - scheme.qmin() + 1;
        double bestDivergence = Double.POSITIVE_INFINITY;
        int bestBins = KL_BINS;
        for (int bins = levels; bins <= KL_BINS; bins++) {
            double divergence = divergence(hist, bins, levels);
            if (divergence < bestDivergence) {
                bestDivergence = divergence;
                bestBins = bins;
            }
        }
        float t = (float) (bestBins * width);
        return new Range(Math.max(min, -t), Math.min(max, t));
    }

    /** KL(P || Q): P = the first {@code bins} bins with the tail folded into the last, Q = P on {@code levels} levels. */
    private static double divergence(double[] hist, int bins, int levels) {
        double[] p = Arrays.copyOf(hist, bins);
        for (int i = bins; i < hist.length; i++) {
            p[bins - 1] += hist[i];
        }
        double[] q = new double[bins];
        for (int level = 0; level < levels; level++) {
            int from = (int) ((long) level * bins / levels);
            int to = (int) ((long) (level + 1) * bins / levels);
            double sum = 0;
            int nonEmpty = 0;
            for (int i = from; i < to; i++) {
                sum += hist[i];
                nonEmpty += hist[i] > 0 ? 1 : 0;
            }
            for (int i = from; i < to; i++) {
                q[i] = hist[i] > 0 ? sum / nonEmpty : 0;
            }
        }
        // Q is built from the unclipped bins only: the clipped tail that P folds into its last bin is what Q cannot
        // represent, so that clipping costs divergence (else the narrowest range would always win).
        double pSum = Arrays.stream(p).sum();
        double qSum = Arrays.stream(q).sum();
        double kl = 0;
        for (int i = 0; i < bins; i++) {
            if (p[i] > 0) {
                double pi = p[i] / pSum;
                double qi = q[i] > 0 ? q[i] / qSum : 1e-12;
                kl += pi * Math.log(pi / qi);
            }
        }
        return kl;
    }

    private static float[] subsample(float[] values) {
        if (values.length <= MAX_SAMPLES) {
            return values;
        }
        float[] out = new float[MAX_SAMPLES];
        double stride = (double) values.length / MAX_SAMPLES;
        for (int i = 0; i < MAX_SAMPLES; i++) {
            out[i] = values[(int) (i * stride)];
        }
        return out;
    }
}
