package dev.pocketmesh.search;

/**
 * Matern 5/2 covariance with one length-scale per input dimension (ARD):
 * {@code k(a, b) = s2 (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)}, {@code r^2 = sum_k ((a_k - b_k) / l_k)^2}.
 * Twice differentiable, so the surrogate is smooth without being as over-confident as a squared exponential.
 */
final class MaternKernel {
    static final double SQRT5 = Math.sqrt(5);

    private final double[] inverseLengthScales;
    private final double signalVariance;

    MaternKernel(double[] lengthScales, double signalVariance) {
        this.inverseLengthScales = new double[lengthScales.length];
        for (int k = 0; k < lengthScales.length; k++) {
            if (!(lengthScales[k] > 0)) {
                throw new IllegalArgumentException("length-scale " + k + " must be > 0: " + lengthScales[k]);
            }
            inverseLengthScales[k] = 1 / lengthScales[k];
        }
        if (!(signalVariance > 0)) {
            throw new IllegalArgumentException("signal variance must be > 0: " + signalVariance);
        }
        this.signalVariance = signalVariance;
    }

    /** From log length-scales followed by the log signal variance (the layout the likelihood fit works in). */
    static MaternKernel fromLog(double[] logParams, int dimensions) {
        double[] ls = new double[dimensions];
        for (int k = 0; k < dimensions; k++) {
            ls[k] = Math.exp(logParams[k]);
        }
        return new MaternKernel(ls, Math.exp(logParams[dimensions]));
    }

    double signalVariance() {
        return signalVariance;
    }

    int dimensions() {
        return inverseLengthScales.length;
    }

    /** Scaled distance r between two points. */
    double distance(double[] a, double[] b) {
        double r2 = 0;
        for (int k = 0; k < inverseLengthScales.length; k++) {
            double d = (a[k] - b[k]) * inverseLengthScales[k];
            r2 += d * d;
        }
        return Math.sqrt(r2);
    }

    double value(double[] a, double[] b) {
        return ofDistance(distance(a, b));
    }

    double ofDistance(double r) {
        double s = SQRT5 * r;
        return signalVariance * (1 + s + s * s / 3) * Math.exp(-s);
    }

    /**
     * The factor {@code g(r)} with {@code dk/d(log l_k) = g(r) ((a_k - b_k) / l_k)^2}:
     * {@code g(r) = 5/3 s2 (1 + sqrt5 r) exp(-sqrt5 r)}. It has no 1/r, so it is safe at r = 0.
     */
    double lengthScaleGradientFactor(double r) {
        double s = SQRT5 * r;
        return signalVariance * (5.0 / 3.0) * (1 + s) * Math.exp(-s);
    }

    /** The squared scaled difference along one dimension, {@code ((a_k - b_k) / l_k)^2}. */
    double scaledSquare(double[] a, double[] b, int k) {
        double d = (a[k] - b[k]) * inverseLengthScales[k];
        return d * d;
    }
}
