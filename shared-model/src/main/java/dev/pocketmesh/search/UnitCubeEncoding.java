package dev.pocketmesh.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps configurations of a {@link SearchSpace} to points of the unit cube and back, for models that work on
 * real vectors. Floats take one coordinate (log floats in log space); ints take one coordinate, continuous in
 * the model and rounded on the way back; a categorical takes one coordinate per choice (one-hot), so no order
 * is invented between choices.
 */
final class UnitCubeEncoding {
    private final List<Parameter> parameters;
    /** First coordinate of each parameter. */
    private final int[] offsets;
    private final int dimensions;

    UnitCubeEncoding(SearchSpace space) {
        this.parameters = space.parameters();
        this.offsets = new int[parameters.size()];
        int d = 0;
        for (int i = 0; i < parameters.size(); i++) {
            offsets[i] = d;
            d += width(parameters.get(i));
        }
        this.dimensions = d;
    }

    int dimensions() {
        return dimensions;
    }

    private static int width(Parameter p) {
        return p instanceof Parameter.CategoricalParameter c ? c.choices().size() : 1;
    }

    /** The point of a configuration, or null when the configuration lacks a parameter or holds an unknown value. */
    double[] encode(Map<String, Object> config) {
        if (config == null) {
            return null;
        }
        double[] u = new double[dimensions];
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            Object v = config.get(p.name());
            if (v == null) {
                return null;
            }
            if (p instanceof Parameter.CategoricalParameter c) {
                int index = UnitScale.categoryIndex(c, v);
                if (index < 0) {
                    return null;
                }
                u[offsets[i] + index] = 1;
                continue;
            }
            if (!(v instanceof Number number)) {
                return null;
            }
            double x = number.doubleValue();
            double unit;
            if (p instanceof Parameter.FloatParameter f) {
                unit = f.log()
                        ? fraction(Math.log(x), Math.log(f.low()), Math.log(f.high()))
                        : fraction(x, f.low(), f.high());
            } else {
                Parameter.IntParameter ip = (Parameter.IntParameter) p;
                unit = fraction(x, ip.low(), ip.high());
            }
            if (Double.isNaN(unit)) {
                return null;
            }
            u[offsets[i]] = clamp01(unit);
        }
        return u;
    }

    /**
     * Moves a point onto the values a configuration can take, in place: ints onto their grid, each categorical
     * block onto the one-hot vector of its largest coordinate, everything clamped to [0, 1]. Scoring snapped
     * points lets the model see that two points rounding to the same configuration are the same trial.
     */
    void snap(double[] u) {
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            int o = offsets[i];
            if (p instanceof Parameter.CategoricalParameter c) {
                int best = argmax(u, o, c.choices().size());
                for (int k = 0; k < c.choices().size(); k++) {
                    u[o + k] = k == best ? 1 : 0;
                }
            } else if (p instanceof Parameter.IntParameter ip) {
                int span = ip.high() - ip.low();
                u[o] = span == 0 ? 0 : Math.round(clamp01(u[o]) * span) / (double) span;
            } else {
                u[o] = clamp01(u[o]);
            }
        }
    }

    /** The configuration at a point (snapping it first, on a copy). */
    Map<String, Object> decode(double[] point) {
        double[] u = point.clone();
        snap(u);
        Map<String, Object> config = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            int o = offsets[i];
            Object value;
            if (p instanceof Parameter.FloatParameter f) {
                value = UnitScale.decode(f, u[o]);
            } else if (p instanceof Parameter.IntParameter ip) {
                value = (int) Math.min(ip.high(), Math.max(ip.low(), ip.low() + Math.round(u[o] * (ip.high() - ip.low()))));
            } else {
                Parameter.CategoricalParameter c = (Parameter.CategoricalParameter) p;
                value = c.choices().get(argmax(u, o, c.choices().size()));
            }
            config.put(p.name(), value);
        }
        return config;
    }

    /** Which coordinates belong to which parameter: {offset, width} per parameter. */
    int[][] blocks() {
        int[][] blocks = new int[parameters.size()][];
        for (int i = 0; i < parameters.size(); i++) {
            blocks[i] = new int[] {offsets[i], width(parameters.get(i))};
        }
        return blocks;
    }

    /** True when the parameter owning this block is categorical. */
    boolean isCategorical(int parameterIndex) {
        return parameters.get(parameterIndex) instanceof Parameter.CategoricalParameter;
    }

    private static int argmax(double[] u, int offset, int width) {
        int best = 0;
        for (int k = 1; k < width; k++) {
            if (u[offset + k] > u[offset + best]) {
                best = k;
            }
        }
        return best;
    }

    private static double fraction(double x, double low, double high) {
        return high > low ? (x - low) / (high - low) : 0;
    }

    static double clamp01(double x) {
        return x < 0 ? 0 : x > 1 ? 1 : x;
    }
}
