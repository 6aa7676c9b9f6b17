package dev.pocketmesh.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Standard test functions for optimisers (all minimised, with known global minima), as search spaces over named
 * float parameters {@code x0, x1, ...}. Used by the optimiser tests and by {@code pocketmesh bench hpo-functions}.
 * Samplers maximise, so a study on one of these tells {@code -f(x)}.
 */
public final class BenchmarkFunctions {
    private BenchmarkFunctions() {
    }

    /** A function to minimise over a box, its known minimum value. */
    public record Function(String name, SearchSpace space, double minimum, ToDoubleFunction<double[]> f) {
        /** f at a configuration of this function's space. */
        public double valueAt(Map<String, Object> config) {
            double[] x = new double[space.parameters().size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = ((Number) config.get(space.parameters().get(i).name())).doubleValue();
            }
            return f.applyAsDouble(x);
        }

        /** How far {@code value} is above the global minimum. */
        public double regret(double value) {
            return value - minimum;
        }
    }

    public static List<Function> all() {
        return List.of(branin(), hartmann6(), rosenbrock4());
    }

    public static Function byName(String name) {
        return all().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown function '" + name + "'"));
    }

    /** Branin-Hoo on [-5, 10] x [0, 15]; three global minima of 0.397887. */
    public static Function branin() {
        return new Function("branin", box(new double[] {-5, 0}, new double[] {10, 15}), 0.39788735772973816, x -> {
            double b = 5.1 / (4 * Math.PI * Math.PI);
            double c = 5 / Math.PI;
            double t = 1 / (8 * Math.PI);
            double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
            return u * u + 10 * (1 - t) * Math.cos(x[0]) + 10;
        });
    }

    private static final double[] HARTMANN_ALPHA = {1.0, 1.2, 3.0, 3.2};
    private static final double[][] HARTMANN_A = {
            {10, 3, 17, 3.5, 1.7, 8},
            {0.05, 10, 17, 0.1, 8, 14},
            {3, 3.5, 1.7, 10, 17, 8},
            {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] HARTMANN_P = {
            {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
            {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
            {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
            {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

    /** Hartmann-6 on [0, 1]^6; global minimum -3.32237. */
    public static Function hartmann6() {
        double[] lo = new double[6];
        double[] hi = {1, 1, 1, 1, 1, 1};
        return new Function("hartmann6", box(lo, hi), -3.322368011415515, x -> {
            double sum = 0;
            for (int i = 0; i < 4; i++) {
                double inner = 0;
                for (int j = 0; j < 6; j++) {
                    double d = x[j] - HARTMANN_P[i][j];
                    inner += HARTMANN_A[i][j] * d * d;
                }
                sum += HARTMANN_ALPHA[i] * Math.exp(-inner);
            }
            return -sum;
        });
    }

    /** Rosenbrock in 4 dimensions on [-5, 10]^4; global minimum 0 at (1, 1, 1, 1). */
    public static Function rosenbrock4() {
        double[] lo = {-5, -5, -5, -5};
        double[] hi = {10, 10, 10, 10};
        return new Function("rosenbrock4", box(lo, hi), 0, x -> {
            double sum = 0;
            for (int i = 0; i + 1 < x.length; i++) {
                double a = x[i + 1] - x[i] * x[i];
                double b = 1 - x[i];
                sum += 100 * a * a + b * b;
            }
            return sum;
        });
    }

    private static SearchSpace box(double[] lo, double[] hi) {
        List<Parameter> params = new ArrayList<>();
        for (int i = 0; i < lo.length; i++) {
            params.add(new Parameter.FloatParameter("x" + i, lo[i], hi[i], false));
        }
        return new SearchSpace(params);
    }
}
