package dev.pocketmesh.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Grid search over the Cartesian product of one axis per parameter: a float gets {@code pointsPerFloat} evenly
 * spaced values from low to high (evenly in log space when {@code log}); an int every value, or
 * {@code pointsPerFloat} evenly spaced ones when its range is wider; a categorical every choice.
 *
 * <p>The cells are visited in a seeded shuffled order, so a budget smaller than the grid still spreads over it:
 * trial n starts at position n - 1 of that order and takes the first cell from there that the history has used
 * least (any state counts, so trials in flight are not repeated). Once every cell has been used the grid starts
 * over. Cells are never enumerated: the order is a {@link SeededPermutation}, so a large grid costs nothing up front.
 */
public final class GridSampler implements Sampler {
    private final long seed;
    private final int pointsPerFloat;

    public GridSampler(long seed, int pointsPerFloat) {
        if (pointsPerFloat < 1) {
            throw new IllegalArgumentException("pointsPerFloat must be at least 1, got " + pointsPerFloat);
        }
        this.seed = seed;
        this.pointsPerFloat = pointsPerFloat;
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, List<Observation> history, int trialNumber) {
        List<List<Object>> axes = axes(space);
        long cells = cellCount(axes);
        Map<Long, Integer> used = new HashMap<>();
        for (Observation o : history) {
            // The trial being proposed again (a restart) must not steer itself away from its own cell.
            if (o.number() == trialNumber || o.config() == null) {
                continue;
            }
            long cell = cellOf(space, axes, space.filled(o.config()));
            if (cell >= 0) {
                used.merge(cell, 1, Integer::sum);
            }
        }
        int fewest = used.size() < cells ? 0 : used.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        SeededPermutation order = new SeededPermutation(cells, seed * 0x9E3779B97F4A7C15L + 0x6A1DL);
        long start = Math.floorMod((long) trialNumber - 1, cells);
        long cell = order.at(start);
        // At most (cells used more than `fewest` times) steps: bounded by the history's size.
        for (long step = 0; step < cells; step++) {
            long candidate = order.at((start + step) % cells);
            if (used.getOrDefault(candidate, 0) <= fewest) {
                cell = candidate;
                break;
            }
        }
        return config(space, axes, cell);
    }

    /** The number of cells this sampler's grid has over {@code space}. */
    public long cellCount(SearchSpace space) {
        return cellCount(axes(space));
    }

    List<List<Object>> axes(SearchSpace space) {
        List<List<Object>> axes = new ArrayList<>();
        for (Parameter p : space.parameters()) {
            axes.add(axis(p));
        }
        return axes;
    }

    private List<Object> axis(Parameter p) {
        List<Object> values = new ArrayList<>();
        if (p instanceof Parameter.FloatParameter f) {
            int k = f.low() == f.high() ? 1 : pointsPerFloat;
            for (int i = 0; i < k; i++) {
                double u = k == 1 ? 0.5 : i / (double) (k - 1);
                values.add(UnitScale.decode(f, u));
            }
        } else if (p instanceof Parameter.IntParameter in) {
            long width = (long) in.high() - in.low() + 1;
            if (width <= pointsPerFloat) {
                for (long v = in.low(); v <= in.high(); v++) {
                    values.add((int) v);
                }
            } else if (pointsPerFloat == 1) {
                values.add((int) Math.floorDiv((long) in.low() + in.high(), 2));
            } else {
                for (int i = 0; i < pointsPerFloat; i++) {
                    values.add((int) (in.low() + Math.round(i * (width - 1) / (double) (pointsPerFloat - 1))));
                }
            }
        } else {
            values.addAll(((Parameter.CategoricalParameter) p).choices());
        }
        return values;
    }

    private static long cellCount(List<List<Object>> axes) {
        long cells = 1;
        for (List<Object> axis : axes) {
            try {
                cells = Math.multiplyExact(cells, axis.size());
            } catch (ArithmeticException e) {
                cells = Long.MAX_VALUE;
            }
        }
        if (cells > (1L << 62)) {
            throw new IllegalArgumentException("the grid has more than 2^62 cells: use fewer points per float "
                    + "or another optimizer");
        }
        return cells;
    }

    /** Mixed-radix index of the grid cell {@code config} lies on, or -1 if it is not on the grid. */
    private static long cellOf(SearchSpace space, List<List<Object>> axes, Map<String, Object> config) {
        long cell = 0;
        for (int d = 0; d < axes.size(); d++) {
            Parameter p = space.parameters().get(d);
            int index = indexOnAxis(p, axes.get(d), config.get(p.name()));
            if (index < 0) {
                return -1;
            }
            cell = cell * axes.get(d).size() + index;
        }
        return cell;
    }

    private static int indexOnAxis(Parameter p, List<Object> axis, Object value) {
        if (p instanceof Parameter.CategoricalParameter c) {
            return UnitScale.categoryIndex(c, value);
        }
        if (!(value instanceof Number number)) {
            return -1;
        }
        double x = number.doubleValue();
        // Grid values come back exactly (JSON keeps doubles); the tolerance only forgives rounding elsewhere.
        double tolerance = p instanceof Parameter.FloatParameter f ? 1e-9 * Math.max(Math.abs(f.high()), Math.abs(f.low())) : 0;
        for (int i = 0; i < axis.size(); i++) {
            if (Math.abs(((Number) axis.get(i)).doubleValue() - x) <= tolerance) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, Object> config(SearchSpace space, List<List<Object>> axes, long cell) {
        Object[] values = new Object[axes.size()];
        long rest = cell;
        for (int d = axes.size() - 1; d >= 0; d--) {
            int size = axes.get(d).size();
            values[d] = axes.get(d).get((int) (rest % size));
            rest /= size;
        }
        Map<String, Object> config = new LinkedHashMap<>();
        for (int d = 0; d < axes.size(); d++) {
            config.put(space.parameters().get(d).name(), values[d]);
        }
        return config;
    }
}
