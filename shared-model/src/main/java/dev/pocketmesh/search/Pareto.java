package dev.pocketmesh.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Several objectives at once, each oriented so that higher is better (a minimised cost enters negated): the Pareto
 * front, ParEGO's scalarisation that lets a single-objective sampler search along it (Knowles 2006), and the rules
 * that pick one member of a front. One place for the ask/tell API and the mesh's {@code objective: pareto}.
 */
public final class Pareto {
    /** The augmentation of the Chebyshev scalarisation, which breaks its ties towards the front. */
    private static final double CHEBYSHEV_AUGMENTATION = 0.05;

    private Pareto() {
    }

    /** One candidate: its trial number and its objective values, higher better in each. */
    public record Point(int number, double[] values) {
        public double value(int objective) {
            return values[objective];
        }
    }

    /** b dominates a: at least as good in every objective and strictly better in one. */
    public static boolean dominates(double[] b, double[] a) {
        boolean strictly = false;
        for (int i = 0; i < a.length; i++) {
            if (b[i] < a[i]) {
                return false;
            }
            if (b[i] > a[i]) {
                strictly = true;
            }
        }
        return strictly;
    }

    /** The points no other point dominates, in the order given; equal points do not dominate each other. */
    public static List<Point> front(List<Point> points) {
        List<Point> front = new ArrayList<>();
        for (Point a : points) {
            if (points.stream().noneMatch(b -> b != a && dominates(b.values(), a.values()))) {
                front.add(a);
            }
        }
        return front;
    }

    /** ParEGO weights for one trial, uniform on the simplex, from (seed, trial number) only. */
    public static double[] parEgoWeights(long seed, int trialNumber, int objectives) {
        // The study's seed with a fixed twist: a stream of its own, not the one the sampler draws from for this trial.
        SplittableRandom random = RandomSampler.streamFor(seed ^ 0x5DEECE66DL, trialNumber);
        double[] w = new double[objectives];
        double sum = 0;
        for (int i = 0; i < objectives; i++) {
            // Exponential spacings normalised: a uniform point on the simplex.
            w[i] = -Math.log(1 - random.nextDouble());
            sum += w[i];
        }
        for (int i = 0; i < objectives; i++) {
            w[i] /= sum;
        }
        return w;
    }

    /**
     * ParEGO's value of each point for one trial's weights: objectives normalised to [0, 1] by the range the points
     * span, then the augmented Chebyshev scalarisation {@code -(max_i w_i (1 - z_i) + 0.05 Σ_i w_i (1 - z_i))}, which
     * a sampler maximises. Different weights per trial spread the proposals along the front.
     */
    public static Map<Integer, Double> parEgo(List<Point> points, double[] weights) {
        int m = weights.length;
        double[] min = new double[m];
        double[] max = new double[m];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (Point p : points) {
            for (int i = 0; i < m; i++) {
                min[i] = Math.min(min[i], p.value(i));
                max[i] = Math.max(max[i], p.value(i));
            }
        }
        Map<Integer, Double> scalar = new LinkedHashMap<>();
        for (Point p : points) {
            double worst = 0;
            double sum = 0;
            for (int i = 0; i < m; i++) {
                double range = max[i] - min[i];
                // A flat objective (one value seen so far) tells nothing: every point is "at the best" in it.
                double z = range > 0 ? (p.value(i) - min[i]) / range : 1.0;
                double gap = weights[i] * (1 - z);
                worst = Math.max(worst, gap);
                sum += gap;
            }
            scalar.put(p.number(), -(worst + CHEBYSHEV_AUGMENTATION * sum));
        }
        return scalar;
    }

    /**
     * The knee of a two-objective front: with both objectives normalised to [0, 1] over the front, the member
     * farthest from the line through its two extremes, where giving up one objective starts to buy little of the
     * other. With one or two members: the best in objective 0 (for PocketMesh, accuracy). Ties: the earlier point.
     */
    public static Optional<Point> knee(List<Point> front) {
        if (front.isEmpty()) {
            return Optional.empty();
        }
        Point first = best(front, 0);
        if (front.size() < 3) {
            return Optional.of(first);
        }
        Point second = best(front, 1);
        double[] lo = {Math.min(first.value(0), second.value(0)), Math.min(first.value(1), second.value(1))};
        double[] span = {Math.abs(first.value(0) - second.value(0)), Math.abs(first.value(1) - second.value(1))};
        if (span[0] == 0 || span[1] == 0) {
            return Optional.of(first);
        }
        double ax = (first.value(0) - lo[0]) / span[0];
        double ay = (first.value(1) - lo[1]) / span[1];
        double bx = (second.value(0) - lo[0]) / span[0];
        double by = (second.value(1) - lo[1]) / span[1];
        // The unit normal of the extremes' line, turned towards (1, 1), where the front bulges.
        double nx = by - ay;
        double ny = ax - bx;
        if (nx * (1 - ax) + ny * (1 - ay) < 0) {
            nx = -nx;
            ny = -ny;
        }
        double length = Math.hypot(nx, ny);
        // No member beyond the line (a front that sags): the most accurate extreme.
        Point knee = first;
        double farthest = 0;
        for (Point p : front) {
            double px = (p.value(0) - lo[0]) / span[0];
            double py = (p.value(1) - lo[1]) / span[1];
            double distance = (nx * (px - ax) + ny * (py - ay)) / length;
            if (distance > farthest + 1e-12) {
                farthest = distance;
                knee = p;
            }
        }
        return Optional.of(knee);
    }

    /** The member best in objective 0 among those whose objective 1 is at least {@code floor}. */
    public static Optional<Point> bestAbove(List<Point> front, double floor) {
        return front.stream().filter(p -> p.value(1) >= floor)
                .reduce((a, b) -> b.value(0) > a.value(0) ? b : a);
    }

    private static Point best(List<Point> points, int objective) {
        Point best = points.get(0);
        for (Point p : points) {
            if (p.value(objective) > best.value(objective)) {
                best = p;
            }
        }
        return best;
    }
}
