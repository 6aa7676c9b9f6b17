package dev.pocketmesh.search;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Minimises a smooth function inside a box with limited-memory BFGS: the two-loop recursion gives a quasi-Newton
 * direction, coordinates sitting on a bound with the gradient pushing outwards are held fixed, and a backtracking
 * (Armijo) line search walks along the direction with every trial point clamped into the box. Small and
 * deterministic; meant for the handful of log hyper-parameters of a Gaussian process, not for large problems.
 */
final class BoundedLbfgs {
    /** Value at x, gradient written to {@code gradient}; may return +infinity where undefined. */
    interface Objective {
        double evaluate(double[] x, double[] gradient);
    }

    record Result(double[] x, double value, int evaluations) {
    }

    private static final int MEMORY = 6;

    private BoundedLbfgs() {
    }

    static Result minimise(Objective f, double[] start, double[] lower, double[] upper, int maxIterations) {
        int m = start.length;
        double[] x = start.clone();
        clamp(x, lower, upper);
        double[] g = new double[m];
        double fx = f.evaluate(x, g);
        int evaluations = 1;
        if (!Double.isFinite(fx)) {
            return new Result(x, fx, evaluations);
        }
        Deque<double[][]> history = new ArrayDeque<>();
        double[] xNew = new double[m];
        double[] gNew = new double[m];
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            boolean[] fixed = new boolean[m];
            double projected = 0;
            for (int i = 0; i < m; i++) {
                fixed[i] = (x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0);
                if (!fixed[i]) {
                    projected = Math.max(projected, Math.abs(g[i]));
                }
            }
            if (projected < 1e-6) {
                break;
            }
            double[] direction = twoLoop(g, history, fixed);
            double slope = dot(direction, g);
            if (!(slope < 0)) {
                history.clear();
                direction = twoLoop(g, history, fixed);
                slope = dot(direction, g);
            }
            double step = 1;
            if (history.isEmpty()) {
                // Without curvature information, take a first step of length at most 1 in log space.
                double norm = Math.sqrt(dot(direction, direction));
                step = Math.min(1, 1 / Math.max(norm, 1e-12));
            }
            double fNew = Double.NaN;
            boolean accepted = false;
            for (int backtrack = 0; backtrack < 30; backtrack++) {
                for (int i = 0; i < m; i++) {
                    xNew[i] = x[i] + step * direction[i];
                }
                clamp(xNew, lower, upper);
                fNew = f.evaluate(xNew, gNew);
                evaluations++;
                double actualSlope = 0;
                for (int i = 0; i < m; i++) {
                    actualSlope += g[i] * (xNew[i] - x[i]);
                }
                if (Double.isFinite(fNew) && fNew <= fx + 1e-4 * Math.min(actualSlope, 0)) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                break;
            }
            double[] s = new double[m];
            double[] y = new double[m];
            for (int i = 0; i < m; i++) {
                s[i] = xNew[i] - x[i];
                y[i] = gNew[i] - g[i];
            }
            double sy = dot(s, y);
            if (sy > 1e-10) {
                history.addLast(new double[][] {s, y});
                if (history.size() > MEMORY) {
                    history.removeFirst();
                }
            }
            double change = fx - fNew;
            System.arraycopy(xNew, 0, x, 0, m);
            System.arraycopy(gNew, 0, g, 0, m);
            fx = fNew;
            if (change < 1e-9 * Math.max(1, Math.abs(fx))) {
                break;
            }
        }
        return new Result(x, fx, evaluations);
    }

    /** The L-BFGS direction {@code -H g}, with the fixed coordinates held at zero. */
    private static double[] twoLoop(double[] gradient, Deque<double[][]> history, boolean[] fixed) {
        int m = gradient.length;
        double[] q = new double[m];
        for (int i = 0; i < m; i++) {
            q[i] = fixed[i] ? 0 : gradient[i];
        }
        int size = history.size();
        double[] rho = new double[size];
        double[] a = new double[size];
        double[][][] pairs = history.toArray(new double[0][][]);
        for (int k = size - 1; k >= 0; k--) {
            double[] s = pairs[k][0];
            double[] y = pairs[k][1];
            rho[k] = 1 / dot(s, y);
            a[k] = rho[k] * dot(s, q);
            for (int i = 0; i < m; i++) {
                q[i] -= a[k] * y[i];
            }
        }
        if (size > 0) {
            double[] s = pairs[size - 1][0];
            double[] y = pairs[size - 1][1];
            double scale = dot(s, y) / dot(y, y);
            for (int i = 0; i < m; i++) {
                q[i] *= scale;
            }
        }
        for (int k = 0; k < size; k++) {
            double[] s = pairs[k][0];
            double[] y = pairs[k][1];
            double b = rho[k] * dot(y, q);
            for (int i = 0; i < m; i++) {
                q[i] += (a[k] - b) * s[i];
            }
        }
        for (int i = 0; i < m; i++) {
            q[i] = fixed[i] ? 0 : -q[i];
        }
        return q;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void clamp(double[] x, double[] lower, double[] upper) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.min(upper[i], Math.max(lower[i], x[i]));
        }
    }
}
