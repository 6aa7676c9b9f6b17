package dev.pocketmesh.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Multivariate Tree-structured Parzen Estimator (Bergstra et al. 2011, with the joint kernels of Falkner et al.
 * 2018; defaults after Optuna's). After {@code nStartup} finished trials drawn as {@link RandomSampler} would draw
 * them, each suggestion splits the finished trials into the best {@code gamma(n)} ("good") and the rest ("bad"),
 * fits a Parzen estimator l(x) to the good configurations and g(x) to the bad ones, draws {@code nCandidates}
 * configurations from l and returns the one with the largest log l(x) - log g(x), the expected-improvement
 * criterion of TPE.
 *
 * <p>Coordinates: each float and int parameter is mapped to [0, 1] by {@link UnitScale} (log floats in log space,
 * ints as cells), where every kernel is a Gaussian truncated to [0, 1] whose width adapts to the gaps between the
 * group's points ({@link ParzenEstimator}); a categorical uses a smoothed point mass
 * on its observed choice. Trials still being evaluated count as bad (a constant liar), which pushes parallel
 * proposals apart; failed or pruned trials without a value are ignored. Candidates that repeat a configuration
 * already in the history are passed over while another candidate is left.
 */
public final class TpeSampler implements Sampler {
    public static final int DEFAULT_STARTUP_TRIALS = 10;
    public static final int DEFAULT_CANDIDATES = 24;

    private final long seed;
    private final int startupTrials;
    private final int candidates;

    public TpeSampler(long seed) {
        this(seed, DEFAULT_STARTUP_TRIALS, DEFAULT_CANDIDATES);
    }

    public TpeSampler(long seed, int startupTrials, int candidates) {
        if (startupTrials < 1 || candidates < 1) {
            throw new IllegalArgumentException("startupTrials and candidates must be positive");
        }
        this.seed = seed;
        this.startupTrials = startupTrials;
        this.candidates = candidates;
    }

    /**
     * How many of n finished trials count as good: 20 % rounded up, at most 25 (Optuna's cap). Optuna takes 10 %;
     * here 20 % found better points (median best regret over 10 seeds after 50 / 100 trials, Branin 0.074 / 0.0043
     * against 0.29 / 0.039, Rosenbrock-4 62 / 17 against 263 / 36; Hartmann-6 about even, 0.42 / 0.21 against
     * 0.36 / 0.24).
     */
    static int goodCount(int finished) {
        return Math.min((int) Math.ceil(0.2 * finished), 25);
    }

    private record Scored(double[] x, double value, int number) {
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, List<Observation> history, int trialNumber) {
        List<Parameter> params = space.parameters();
        if (params.isEmpty()) {
            return new LinkedHashMap<>();
        }
        List<Scored> finished = new ArrayList<>();
        List<double[]> pending = new ArrayList<>();
        Set<List<Double>> taken = new HashSet<>();
        for (Observation o : history) {
            // A restarted proposal of this very trial must not see itself.
            if (o.number() == trialNumber || o.config() == null) {
                continue;
            }
            double[] x = encode(params, space.filled(o.config()));
            if (x == null) {
                continue;
            }
            taken.add(key(x));
            if (o.state() == null || !o.state().isTerminal()) {
                pending.add(x);
            } else if (o.value() != null && !o.value().isNaN()) {
                finished.add(new Scored(x, o.value(), o.number()));
            }
        }
        if (finished.size() < startupTrials) {
            return new RandomSampler(seed).suggest(space, history, trialNumber);
        }

        finished.sort(Comparator.comparingDouble(Scored::value).reversed().thenComparingInt(Scored::number));
        int good = goodCount(finished.size());
        List<double[]> below = new ArrayList<>();
        List<double[]> above = new ArrayList<>(pending);
        for (int i = 0; i < finished.size(); i++) {
            (i < good ? below : above).add(finished.get(i).x());
        }
        ParzenEstimator l = new ParzenEstimator(params, below);
        ParzenEstimator g = new ParzenEstimator(params, above);

        // Hashed, not seed * golden + n as such: SplittableRandom steps by that same golden constant, so the streams
        // of seeds s and s + 1 would be one draw apart and yield overlapping candidates.
        SplittableRandom random = RandomSampler.streamFor(seed, trialNumber);
        double[] best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        boolean bestIsNew = false;
        for (int c = 0; c < candidates; c++) {
            double[] x = l.sample(random);
            double score = l.logDensity(x) - g.logDensity(x);
            boolean isNew = !taken.contains(key(x));
            if (best == null || (isNew && !bestIsNew) || (isNew == bestIsNew && score > bestScore)) {
                best = x;
                bestScore = score;
                bestIsNew = isNew;
            }
        }
        // Every candidate repeats a tried or pending configuration (a small discrete space): keep drawing, from
        // l(x) and uniformly in turn, so that an unused configuration is proposed while one is left.
        for (int extra = 0; !bestIsNew && extra < 20 * candidates; extra++) {
            double[] x = extra % 2 == 0 ? l.sample(random) : encode(params, uniform(params, random));
            if (!taken.contains(key(x))) {
                best = x;
                bestIsNew = true;
            }
        }
        return decode(params, best);
    }

    private static Map<String, Object> uniform(List<Parameter> params, SplittableRandom random) {
        Map<String, Object> config = new LinkedHashMap<>();
        params.forEach(p -> config.put(p.name(), RandomSampler.sample(p, random)));
        return config;
    }

    /** Estimator coordinates of a configuration: [0, 1] for floats and ints, the choice index for categoricals. */
    static double[] encode(List<Parameter> params, Map<String, Object> config) {
        double[] x = new double[params.size()];
        for (int d = 0; d < x.length; d++) {
            Parameter p = params.get(d);
            Object value = config.get(p.name());
            if (p instanceof Parameter.CategoricalParameter c) {
                x[d] = UnitScale.categoryIndex(c, value);
                if (x[d] < 0) {
                    return null;
                }
            } else {
                x[d] = UnitScale.encode(p, value);
                if (Double.isNaN(x[d])) {
                    return null;
                }
            }
        }
        return x;
    }

    static Map<String, Object> decode(List<Parameter> params, double[] x) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (int d = 0; d < x.length; d++) {
            Parameter p = params.get(d);
            config.put(p.name(), p instanceof Parameter.CategoricalParameter c
                    ? c.choices().get((int) x[d])
                    : UnitScale.decode(p, x[d]));
        }
        return config;
    }

    /** Identity of a configuration for duplicate checks (ints and categoricals are already snapped). */
    private static List<Double> key(double[] x) {
        return Arrays.stream(x).boxed().toList();
    }
}
