package dev.pocketmesh.search;

import java.util.List;
import java.util.Objects;

/**
 * Maps each parameter to and from the unit interval, the coordinates the quasi-random and model-based samplers
 * work in: a float by its (log, when {@code log}) position in its range, an int by the cell [low, high + 1) it
 * falls in, a categorical by its index among the choices.
 */
final class UnitScale {
    private UnitScale() {
    }

    /** The value of {@code p} at {@code u} in [0, 1]: in the bounds and of the parameter's Java type. */
    static Object decode(Parameter p, double u) {
        double v = Math.min(1.0, Math.max(0.0, u));
        if (p instanceof Parameter.FloatParameter f) {
            if (f.low() == f.high() || v == 0) {
                return f.low();
            }
            if (v == 1) {
                return f.high();
            }
            double x = f.log()
                    ? Math.exp(Math.log(f.low()) + v * (Math.log(f.high()) - Math.log(f.low())))
                    : f.low() + v * (f.high() - f.low());
            // exp(log(..)) can land an ulp outside the range
            return Math.min(f.high(), Math.max(f.low(), x));
        }
        if (p instanceof Parameter.IntParameter i) {
            long width = (long) i.high() - i.low() + 1;
            return (int) (i.low() + Math.min(width - 1, (long) Math.floor(v * width)));
        }
        List<Object> choices = ((Parameter.CategoricalParameter) p).choices();
        return choices.get(Math.min(choices.size() - 1, (int) Math.floor(v * choices.size())));
    }

    /**
     * Where {@code value} sits in [0, 1] for {@code p} (an int or a categorical at the centre of its cell), or NaN
     * when it is not a value of {@code p} (missing, wrong type, out of range: a trial from an older space).
     */
    static double encode(Parameter p, Object value) {
        if (p instanceof Parameter.CategoricalParameter c) {
            int index = categoryIndex(c, value);
            return index < 0 ? Double.NaN : (index + 0.5) / c.choices().size();
        }
        if (!(value instanceof Number number)) {
            return Double.NaN;
        }
        double x = number.doubleValue();
        if (p instanceof Parameter.FloatParameter f) {
            if (!(x >= f.low() && x <= f.high())) {
                return Double.NaN;
            }
            if (f.low() == f.high()) {
                return 0.5;
            }
            return f.log()
                    ? (Math.log(x) - Math.log(f.low())) / (Math.log(f.high()) - Math.log(f.low()))
                    : (x - f.low()) / (f.high() - f.low());
        }
        Parameter.IntParameter i = (Parameter.IntParameter) p;
        if (!(x >= i.low() && x <= i.high()) || x != Math.rint(x)) {
            return Double.NaN;
        }
        return (x - i.low() + 0.5) / ((double) i.high() - i.low() + 1);
    }

    /**
     * The index of {@code value} among the choices, or -1. Falls back to comparing text, so that a value that came
     * back through JSON with another Java type (a Long for an Integer choice) is still recognised.
     */
    static int categoryIndex(Parameter.CategoricalParameter c, Object value) {
        if (value == null) {
            return -1;
        }
        int index = c.choices().indexOf(value);
        if (index >= 0) {
            return index;
        }
        for (int k = 0; k < c.choices().size(); k++) {
            Object choice = c.choices().get(k);
            if (choice instanceof Number a && value instanceof Number b && a.doubleValue() == b.doubleValue()) {
                return k;
            }
            if (Objects.equals(String.valueOf(choice), String.valueOf(value))) {
                return k;
            }
        }
        return -1;
    }
}
