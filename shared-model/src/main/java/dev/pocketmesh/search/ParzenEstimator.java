package dev.pocketmesh.search;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The joint kernel density TPE fits to one group of configurations, in {@link TpeSampler}'s coordinates: an
 * equally weighted mixture of one product kernel per configuration plus one broad prior kernel. Per float or int
 * dimension a kernel is a Gaussian truncated to [0, 1], centred on the observed value (the prior: centred at 0.5
 * with width 1). A kernel's width in a dimension is the larger of the gaps to its neighbouring centres there
 * (the range's ends count as neighbours, except for the outermost centres, which use their inner gap), clipped to
 * [{@code 1/min(100, n+2)}, 1]: kernels are narrow where the group's points cluster and broad where they are
 * sparse, the adaptive width of Bergstra et al.'s original estimator.
 * Int kernels are evaluated and drawn at their cell centres. Per categorical dimension a kernel puts mass 1 on
 * its observed choice plus 1/K on every choice, normalised (the prior: uniform).
 */
final class ParzenEstimator {
    private static final double PRIOR_WEIGHT = 1.0;
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double SQRT2 = Math.sqrt(2);

    private final List<Parameter> params;
    /** Kernel centres, [kernel][dim]; the last kernel is the prior. For categoricals: the choice index. */
    private final double[][] mu;
    /** Kernel widths, [kernel][dim]; the prior's are 1. */
    private final double[][] sigma;
    /** -log(sigma sqrt(2 pi)) - log(mass of the Gaussian inside [0, 1]), [kernel][dim]. */
    private final double[][] logScale;
    /** Per categorical dimension, [kernel][choice] log probabilities; null for numeric dimensions. */
    private final double[][][] logCategorical;
    private final int[] cells;
    private final int kernels;

    ParzenEstimator(List<Parameter> params, List<double[]> points) {
        this.params = params;
        int dims = params.size();
        int n = points.size();
        this.kernels = n + 1;
        this.mu = new double[kernels][];
        for (int i = 0; i < n; i++) {
            mu[i] = points.get(i);
        }
        mu[n] = new double[dims];
        this.sigma = new double[kernels][dims];
        this.cells = new int[dims];
        this.logScale = new double[kernels][dims];
        this.logCategorical = new double[dims][][];
        double floor = 1.0 / Math.min(100.0, n + 2.0);
        for (int d = 0; d < dims; d++) {
            Parameter p = params.get(d);
            if (p instanceof Parameter.CategoricalParameter c) {
                int k = c.choices().size();
                logCategorical[d] = new double[kernels][k];
                for (int i = 0; i < kernels; i++) {
                    for (int choice = 0; choice < k; choice++) {
                        double mass = i == n ? 1.0 / k
                                : (PRIOR_WEIGHT / k + (choice == (int) mu[i][d] ? 1 : 0)) / (1 + PRIOR_WEIGHT);
                        logCategorical[d][i][choice] = Math.log(mass);
                    }
                }
                continue;
            }
            if (p instanceof Parameter.IntParameter in) {
                cells[d] = (int) Math.min(Integer.MAX_VALUE, (long) in.high() - in.low() + 1);
            }
            mu[n][d] = 0.5;
            neighbourWidths(d, n, floor);
            sigma[n][d] = 1.0;
            for (int i = 0; i < kernels; i++) {
                double s = sigma[i][d];
                double mass = 0.5 * (erf((1 - mu[i][d]) / (s * SQRT2)) - erf(-mu[i][d] / (s * SQRT2)));
                logScale[i][d] = -Math.log(s) - LOG_SQRT_2PI - Math.log(mass);
            }
        }
    }

    /** Sets sigma[i][d] of the n data kernels from the gaps between their sorted centres in dimension d. */
    private void neighbourWidths(int d, int n, double floor) {
        if (n == 0) {
            return;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(mu[a][d], mu[b][d]));
        // m = 0, the sorted centres, 1
        double[] m = new double[n + 2];
        m[n + 1] = 1;
        for (int j = 0; j < n; j++) {
            m[j + 1] = mu[order[j]][d];
        }
        for (int j = 0; j < n; j++) {
            double width = Math.max(m[j + 1] - m[j], m[j + 2] - m[j + 1]);
            if (n >= 2 && j == 0) {
                width = m[2] - m[1];
            } else if (n >= 2 && j == n - 1) {
                width = m[n] - m[n - 1];
            }
            sigma[order[j]][d] = Math.min(1.0, Math.max(floor, width));
        }
    }

    private double sigma(int kernel, int d) {
        return sigma[kernel][d];
    }

    /** A draw from the mixture: a kernel picked by weight, then each dimension from that kernel. */
    double[] sample(SplittableRandom random) {
        int kernel = random.nextInt(kernels);
        double[] x = new double[params.size()];
        for (int d = 0; d < x.length; d++) {
            if (logCategorical[d] != null) {
                double u = random.nextDouble();
                double[] logP = logCategorical[d][kernel];
                int choice = 0;
                for (double acc = Math.exp(logP[0]); acc < u && choice < logP.length - 1; acc += Math.exp(logP[++choice])) {
                    // walk the cumulative distribution
                }
                x[d] = choice;
                continue;
            }
            double m = mu[kernel][d];
            double s = sigma(kernel, d);
            double v = Double.NaN;
            for (int attempt = 0; attempt < 64 && !(v >= 0 && v <= 1); attempt++) {
                v = m + s * random.nextGaussian();
            }
            if (!(v >= 0 && v <= 1)) {
                v = Math.min(1, Math.max(0, m));
            }
            x[d] = cells[d] > 0 ? snap(v, cells[d]) : v;
        }
        return x;
    }

    /** Centre of the int cell v falls in. */
    private static double snap(double v, int cells) {
        return (Math.min(cells - 1, Math.floor(v * cells)) + 0.5) / cells;
    }

    /** log of the mixture density at x. */
    double logDensity(double[] x) {
        double[] terms = new double[kernels];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < kernels; i++) {
            double t = 0;
            for (int d = 0; d < x.length; d++) {
                if (logCategorical[d] != null) {
                    t += logCategorical[d][i][(int) x[d]];
                } else {
                    double z = (x[d] - mu[i][d]) / sigma(i, d);
                    t += logScale[i][d] - 0.5 * z * z;
                }
            }
            terms[i] = t;
            max = Math.max(max, t);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum) - Math.log(kernels);
    }

    /**
     * erf to about 1.5e-7 (Abramowitz and Stegun 7.1.26): ample for the truncation masses, each at least 0.34 since
     * every centre lies in [0, 1] and every width is at most 1, and far cheaper than an exact series.
     */
    static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double y = 1 - poly * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
