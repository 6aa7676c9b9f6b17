package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.search.BudgetProjection;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code simulated}: a dry run of a deployment. It behaves like channel pruning of a network with
 * {@code layers} prunable layers, without any model code, so the whole mesh (topics, leases, search,
 * reports) can be exercised and benchmarked in seconds.
 *
 * <p>A configuration is one preserve ratio {@code ratio.i} in [minRatio, 1] per layer. Layer i costs
 * {@code w_i = i + 1} FLOPs units (later layers are wider) and has sensitivity {@code s_i = 0.2 (L - i) / L}
 * (early layers hurt more when pruned). The "measured" metrics are:
 * <ul>
 * <li>{@code flopsFraction = Σ w_i r_i / Σ w_i}, {@code flopsRatio = 1 / flopsFraction};</li>
 * <li>{@code accuracy = baseAccuracy − Σ s_i (1 − r_i)² + noise · N(0,1)}, clipped to [0, 1], the noise
 * drawn from a stream seeded by (seed, trial number) so a result is reproducible;</li>
 * <li>{@code latencyMs = 0.2 + 4.8 · flopsFraction}, {@code bytes = 4e6 · flopsFraction},
 * {@code params = 1e6 · flopsFraction}.</li>
 * </ul>
 * A job's {@code flopsRatio} target is met by every proposal: {@link #complete} scales the suggested ratios together
 * until {@code flopsRatio} is on it, as the real pruning learner does.
 * A worker "trains" for {@code sleepMs} milliseconds spread evenly over the job's epochs, reporting an
 * intermediate accuracy per epoch that rises towards the final one; with probability
 * {@code failProbability} a trial's learner fails, to exercise failure handling.
 */
public final class SimulatedLearner implements LearnerDescriptor {
    public static final String NAME = "simulated";
    public static final String RATIO_PREFIX = "ratio.";

    private static final Map<String, Object> DEFAULTS = Map.of(
            "layers", 4, "sleepMs", 300, "baseAccuracy", 0.9, "noise", 0.002, "minRatio", 0.25,
            "failProbability", 0.0);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "synthetic objective over per-layer preserve ratios, with a configurable training sleep";
    }

    @Override
    public java.util.Set<String> targets() {
        return java.util.Set.of("flopsRatio");
    }

    @Override
    public List<FieldError> validate(Map<String, Object> params, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        ParamReader reader = new ParamReader(params, prefix, errors);
        reader.rejectUnknown(DEFAULTS.keySet());
        reader.integer("layers", 1, 64);
        reader.integer("sleepMs", 0, 3_600_000);
        reader.number("baseAccuracy", 0.0, 1.0);
        reader.number("noise", 0.0, 0.5);
        reader.number("minRatio", 0.01, 1.0);
        reader.number("failProbability", 0.0, 1.0);
        return errors;
    }

    @Override
    public Map<String, Object> withDefaults(Map<String, Object> params) {
        return ParamReader.withDefaults(DEFAULTS, params);
    }

    @Override
    public SearchSpace searchSpace(JobSpec spec) {
        return searchSpace(spec.compression().params());
    }

    /** The space for these parameters: one ratio per simulated layer. */
    public SearchSpace searchSpace(Map<String, Object> params) {
        Map<String, Object> p = withDefaults(params);
        int layers = ParamReader.intOr(p, "layers", 4);
        double minRatio = ParamReader.doubleOr(p, "minRatio", 0.25);
        List<Parameter> dims = new ArrayList<>();
        Map<String, List<Double>> features = new LinkedHashMap<>();
        double totalCost = layers * (layers + 1) / 2.0;
        for (int i = 0; i < layers; i++) {
            dims.add(new Parameter.FloatParameter(RATIO_PREFIX + i, minRatio, 1.0, false));
            // Position and share of the FLOPs, as the pruning learner describes its units.
            features.put(RATIO_PREFIX + i, List.of(layers > 1 ? (double) i / (layers - 1) : 0.0, (i + 1) / totalCost));
        }
        return new SearchSpace(dims, features);
    }

    @Override
    public Map<String, Object> baselineConfig(JobSpec spec) {
        return baselineConfig(spec.compression().params());
    }

    public Map<String, Object> baselineConfig(Map<String, Object> params) {
        int layers = ParamReader.intOr(withDefaults(params), "layers", 4);
        Map<String, Object> config = new LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            config.put(RATIO_PREFIX + i, 1.0);
        }
        return config;
    }

    /**
     * Projects a suggestion onto the job's {@code flopsRatio} target, as the real pruning learner does: the ratios
     * are scaled, down or up, by the largest common factor (each ratio kept in [minRatio, 1]) whose FLOPs fraction
     * meets the target.
     */
    @Override
    public Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec) {
        Double target = spec.compression().target() == null ? null : spec.compression().target().get("flopsRatio");
        if (target == null) {
            return suggestion;
        }
        Map<String, Object> p = withDefaults(spec.compression().params());
        int layers = ParamReader.intOr(p, "layers", 4);
        double minRatio = ParamReader.doubleOr(p, "minRatio", 0.25);
        double[] ratios = ratios(suggestion, layers);
        java.util.function.DoublePredicate feasible = t -> flopsFraction(scaled(ratios, t, minRatio)) <= 1.0 / target;
        double smallest = java.util.Arrays.stream(ratios).map(r -> Math.max(minRatio, r)).min().orElse(1.0);
        double scale = feasible.test(1.0) ? BudgetProjection.largestFeasibleScale(1.0, 1.0 / smallest, feasible)
                : BudgetProjection.largestFeasibleScale(feasible);
        double[] projected = scaled(ratios, scale, minRatio);
        Map<String, Object> config = new LinkedHashMap<>(suggestion);
        for (int i = 0; i < layers; i++) {
            config.put(RATIO_PREFIX + i, projected[i]);
        }
        return config;
    }

    /** Checks the target can be met with every ratio at minRatio. */
    @Override
    public List<FieldError> validateJob(JobSpec spec) {
        Double target = spec.compression().target() == null ? null : spec.compression().target().get("flopsRatio");
        Map<String, Object> p = withDefaults(spec.compression().params());
        double minRatio = ParamReader.doubleOr(p, "minRatio", 0.25);
        if (target != null && 1.0 / minRatio < target * 0.99) {
            return List.of(new FieldError("compression.target.flopsRatio", target + " cannot be met: with minRatio "
                    + minRatio + " the simulated network sheds at most " + (1.0 / minRatio) + "x of its FLOPs"));
        }
        return List.of();
    }

    private static double[] scaled(double[] ratios, double t, double minRatio) {
        double[] out = new double[ratios.length];
        for (int i = 0; i < ratios.length; i++) {
            out[i] = Math.min(1.0, Math.max(minRatio, ratios[i] * t));
        }
        return out;
    }

    /** Σ w_i r_i / Σ w_i with w_i = i + 1 (see the class comment). */
    private static double flopsFraction(double[] ratios) {
        double cost = 0;
        double full = 0;
        for (int i = 0; i < ratios.length; i++) {
            cost += (i + 1) * ratios[i];
            full += i + 1;
        }
        return cost / full;
    }

    /** The metrics an evaluator reports for this configuration (see the class comment). */
    public static Map<String, Double> measure(Map<String, Object> config, Map<String, Object> params, long seed,
            int trialNumber) {
        Map<String, Object> p = new SimulatedLearner().withDefaults(params);
        int layers = ParamReader.intOr(p, "layers", 4);
        double[] ratios = ratios(config, layers);
        double loss = 0;
        for (int i = 0; i < layers; i++) {
            double sensitivity = 0.2 * (layers - i) / layers;
            loss += sensitivity * (1 - ratios[i]) * (1 - ratios[i]);
        }
        double fraction = flopsFraction(ratios);
        double noise = ParamReader.doubleOr(p, "noise", 0.002) * gaussian(seed, trialNumber);
        double accuracy = clamp(ParamReader.doubleOr(p, "baseAccuracy", 0.9) - loss + noise);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", accuracy);
        metrics.put("flopsFraction", fraction);
        metrics.put("flopsRatio", 1.0 / fraction);
        metrics.put("latencyMs", 0.2 + 4.8 * fraction);
        metrics.put("latencyRatio", 5.0 / (0.2 + 4.8 * fraction)); // over the uncompressed model's 5 ms
        metrics.put("bytes", Math.rint(4e6 * fraction));
        metrics.put("params", Math.rint(1e6 * fraction));
        return metrics;
    }

    /** The accuracy a worker reports after {@code epoch} of {@code epochs}: rises from 0.1 towards the final. */
    public static double accuracyAfterEpoch(double finalAccuracy, int epoch, int epochs) {
        return finalAccuracy - (finalAccuracy - 0.1) * Math.exp(-4.0 * epoch / Math.max(1, epochs));
    }

    /** Whether this trial's learner fails (deterministic per seed and trial number). */
    public static boolean fails(Map<String, Object> params, long seed, int trialNumber) {
        double probability = ParamReader.doubleOr(params == null ? Map.of() : params, "failProbability", 0.0);
        return probability > 0 && new SplittableRandom(seed * 31 + trialNumber + 7_777).nextDouble() < probability;
    }

    private static double[] ratios(Map<String, Object> config, int layers) {
        double[] ratios = new double[layers];
        for (int i = 0; i < layers; i++) {
            Object v = config.get(RATIO_PREFIX + i);
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("configuration lacks " + RATIO_PREFIX + i);
            }
            ratios[i] = n.doubleValue();
        }
        return ratios;
    }

    private static double gaussian(long seed, int trialNumber) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + trialNumber);
        // Box-Muller; 1 - u keeps the logarithm's argument away from zero.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static double clamp(double x) {
        return Math.max(0, Math.min(1, x));
    }
}
