package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.search.BudgetProjection;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code channel-pruning}: removes whole output channels of convs and neurons of hidden Linear layers (one preserve
 * ratio per
 * {@link PruningUnits prunable unit}), copies the surviving weights into a physically smaller network and
 * fine-tunes it. The search space is one ratio {@code ratio.<unit>} in [minRatio, maxRatio] per unit not fixed
 * by the parameters; every configuration a study proposes is first {@link #complete completed} so that it meets
 * the job's {@code flopsRatio} target (the ratios are scaled down together until the pruned network is small
 * enough, as AMC / PocketFlow's constrained search does).
 *
 * <p>Parameters: {@code criterion} (l1-norm, l2-norm, bn-scale, reconstruction), {@code ratio} (one fixed ratio
 * for every unit: no search), {@code ratios} (fixed ratios by unit name), {@code minRatio}, {@code maxRatio},
 * {@code reconstructionSamples} (images whose activations the reconstruction fits).
 */
public final class ChannelPruningLearner implements LearnerDescriptor {
    public static final String NAME = "channel-pruning";
    public static final String RATIO_PREFIX = "ratio.";
    public static final List<String> CRITERIA = List.of("l1-norm", "l2-norm", "bn-scale", "reconstruction");

    /**
     * Kept channel counts are multiples of this by default. Measured with ONNX Runtime on an AVX-512 CPU
     * (ResNet-20, 2x fewer FLOPs): counts such as 11/23/45 ran 0.92x as fast as the unpruned network, multiples
     * of 8 ran 1.8x as fast; the kernels pad channels to their vector blocks.
     */
    public static final int DEFAULT_CHANNEL_MULTIPLE = 8;
    private static final Map<String, Object> DEFAULTS = Map.of(
            "criterion", "l1-norm", "minRatio", 0.25, "maxRatio", 1.0, "reconstructionSamples", 256,
            "channelMultiple", DEFAULT_CHANNEL_MULTIPLE);
    private static final Set<String> KNOWN = Set.of("criterion", "ratio", "ratios", "minRatio", "maxRatio",
            "reconstructionSamples", "channelMultiple");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "structured channel pruning with fine-tuning; per-layer preserve ratios chosen by the search";
    }

    @Override
    public Set<String> targets() {
        return Set.of("flopsRatio");
    }

    @Override
    public List<FieldError> validate(Map<String, Object> params, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        ParamReader reader = new ParamReader(params, prefix, errors);
        reader.rejectUnknown(KNOWN);
        reader.number("ratio", 0.01, 1.0);
        reader.number("minRatio", 0.01, 1.0);
        reader.number("maxRatio", 0.01, 1.0);
        reader.integer("reconstructionSamples", 16, 100_000);
        reader.integer("channelMultiple", 1, 64);
        Map<String, Object> p = params == null ? Map.of() : params;
        Object criterion = p.get("criterion");
        if (criterion != null && !CRITERIA.contains(criterion.toString())) {
            errors.add(new FieldError(prefix + ".criterion", "unknown criterion '" + criterion + "'; one of " + CRITERIA));
        }
        if (p.get("ratios") != null) {
            if (!(p.get("ratios") instanceof Map<?, ?> ratios)) {
                errors.add(new FieldError(prefix + ".ratios", "must map unit names to preserve ratios"));
            } else {
                ratios.forEach((k, v) -> {
                    if (!(v instanceof Number n) || !(n.doubleValue() >= 0.01 && n.doubleValue() <= 1.0)) {
                        errors.add(new FieldError(prefix + ".ratios." + k, "must be a number in [0.01, 1.0] (got " + v + ")"));
                    }
                });
            }
        }
        if (p.get("ratio") != null && p.get("ratios") != null) {
            errors.add(new FieldError(prefix + ".ratio", "give either ratio (all units) or ratios (by unit), not both"));
        }
        if (errors.isEmpty() && ParamReader.doubleOr(withDefaults(p), "minRatio", 0.25)
                > ParamReader.doubleOr(withDefaults(p), "maxRatio", 1.0)) {
            errors.add(new FieldError(prefix + ".minRatio", "must not exceed maxRatio"));
        }
        return errors;
    }

    @Override
    public Map<String, Object> withDefaults(Map<String, Object> params) {
        return ParamReader.withDefaults(DEFAULTS, params);
    }

    /** Checks that the job's network can be pruned at all and that its FLOPs target can be met. */
    @Override
    public List<FieldError> validateJob(JobSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        java.util.Optional<NetSpec> resolved = JobNetwork.resolve(spec, errors);
        if (resolved.isEmpty()) {
            return errors;
        }
        NetSpec net = resolved.get();
        List<PruningUnits.Unit> units = PruningUnits.of(net);
        if (units.isEmpty()) {
            errors.add(new FieldError("model", net.name() + " has no conv or hidden Linear layers whose channels can be pruned"));
            return errors;
        }
        Map<String, Object> p = withDefaults(spec.compression().params());
        if (p.get("ratios") instanceof Map<?, ?> fixed) {
            Set<String> names = new java.util.HashSet<>();
            units.forEach(u -> names.add(u.name()));
            for (Object key : fixed.keySet()) {
                if (!names.contains(key.toString())) {
                    errors.add(new FieldError("compression.params.ratios." + key, "no prunable unit of that name in "
                            + net.name() + "; units: " + names.stream().sorted().toList()));
                }
            }
        }
        Double wanted = spec.compression().target() == null ? null : spec.compression().target().get("flopsRatio");
        if (wanted != null && errors.isEmpty()) {
            Map<String, Double> smallest = ratios(net, p, Map.of(), ParamReader.doubleOr(p, "minRatio", 0.25));
            double best = flopsRatio(net, smallest, channelMultiple(p));
            if (best < wanted * 0.99) {
                errors.add(new FieldError("compression.target.flopsRatio", String.format(java.util.Locale.ROOT,
                        "%s cannot be met: pruning %s as far as the parameters allow (minRatio %s, channelMultiple "
                                + "%d, fixed ratios kept) removes at most %.2fx of its FLOPs", fmt(wanted),
                        net.name(), fmt(ParamReader.doubleOr(p, "minRatio", 0.25)), channelMultiple(p), best)));
            }
        }
        return errors;
    }

    @Override
    public SearchSpace searchSpace(JobSpec spec) {
        Map<String, Object> p = withDefaults(spec.compression().params());
        List<Parameter> dims = new ArrayList<>();
        if (p.get("ratio") != null) {
            return new SearchSpace(dims);
        }
        Map<?, ?> fixed = p.get("ratios") instanceof Map<?, ?> m ? m : Map.of();
        double min = ParamReader.doubleOr(p, "minRatio", 0.25);
        double max = ParamReader.doubleOr(p, "maxRatio", 1.0);
        NetSpec net = JobNetwork.resolve(spec);
        List<PruningUnits.Unit> units = PruningUnits.of(net);
        Map<String, List<Double>> features = new LinkedHashMap<>();
        CostModel.Cost cost = CostModel.of(net);
        for (int i = 0; i < units.size(); i++) {
            PruningUnits.Unit unit = units.get(i);
            if (!fixed.containsKey(unit.name())) {
                dims.add(new Parameter.FloatParameter(RATIO_PREFIX + unit.name(), min, max, false));
                features.put(RATIO_PREFIX + unit.name(), descriptor(cost, units, i));
            }
        }
        return new SearchSpace(dims, features);
    }

    /**
     * What the DDPG agent sees of a unit (AMC's layer embedding): its position in the network, its width, its share
     * of the network's FLOPs and parameters, and whether it is a residual stream (pruned across several convs).
     */
    private static List<Double> descriptor(CostModel.Cost cost, List<PruningUnits.Unit> units, int index) {
        PruningUnits.Unit unit = units.get(index);
        double flops = 0;
        double params = 0;
        for (CostModel.LayerCost layer : cost.layers()) {
            if (unit.layers().contains(layer.name())) {
                flops += layer.flops();
                params += layer.params();
            }
        }
        return List.of(units.size() > 1 ? (double) index / (units.size() - 1) : 0.0,
                Math.log(unit.channels()) / Math.log(2) / 10, flops / cost.flops(), params / Math.max(1, cost.params()),
                unit.coupled() ? 1.0 : 0.0);
    }

    /** The physically smaller network a completed configuration builds (its ratios are exact kept counts). */
    @Override
    public NetSpec output(NetSpec input, Map<String, Object> config) {
        return PruningUnits.apply(input, PruningUnits.keepCounts(input, ratiosOf(config), 1));
    }

    /** A pruned candidate is a dense fp32 network with fewer channels. */
    @Override
    public boolean runsAsOutputNetwork() {
        return true;
    }

    @Override
    public Map<String, Object> baselineConfig(JobSpec spec) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (PruningUnits.Unit unit : PruningUnits.of(JobNetwork.resolve(spec))) {
            config.put(RATIO_PREFIX + unit.name(), 1.0);
        }
        return config;
    }

    /**
     * A full configuration (a ratio for every unit, fixed ones included) that meets the FLOPs target, as
     * {@link #meetFlopsTarget} makes it. Its ratios are kept channels over channels, so the configuration says
     * exactly what will be built.
     */
    @Override
    public Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec) {
        NetSpec net = JobNetwork.resolve(spec);
        Map<String, Object> p = withDefaults(spec.compression().params());
        Double wanted = spec.compression().target() == null ? null : spec.compression().target().get("flopsRatio");
        Map<String, Double> met = meetFlopsTarget(net, ratios(net, p, suggestion, Double.NaN), searchedUnits(net, p),
                wanted, ParamReader.doubleOr(p, "minRatio", 0.25), channelMultiple(p));
        Map<String, Object> config = new LinkedHashMap<>();
        met.forEach((unit, ratio) -> config.put(RATIO_PREFIX + unit, ratio));
        return config;
    }

    /**
     * The channel counts each unit can keep in a configuration {@link #complete} makes for this job, by unit name,
     * fewest first: a fixed ratio's one count, or for a searched unit every count {@link PruningUnits.Unit#keep} gives
     * a ratio from minRatio to maxRatio (to 1 with a FLOPs target: the projection may scale a suggestion up and give
     * back slack up to whole units). What a device times up front so that any proposal of the job can be estimated.
     */
    public Map<String, List<Integer>> keptChannelChoices(JobSpec spec) {
        NetSpec net = JobNetwork.resolve(spec);
        Map<String, Object> p = withDefaults(spec.compression().params());
        boolean targeted = spec.compression().target() != null
                && spec.compression().target().get("flopsRatio") != null;
        double min = ParamReader.doubleOr(p, "minRatio", 0.25);
        double max = targeted ? 1.0 : ParamReader.doubleOr(p, "maxRatio", 1.0);
        int multiple = channelMultiple(p);
        Set<String> searched = searchedUnits(net, p);
        Map<String, Double> fixed = ratios(net, p, Map.of(), Double.NaN);
        Map<String, List<Integer>> choices = new LinkedHashMap<>();
        for (PruningUnits.Unit unit : PruningUnits.of(net)) {
            java.util.TreeSet<Integer> counts = new java.util.TreeSet<>();
            if (searched.contains(unit.name())) {
                // Steps of at most half a channel's share: every count keep() rounds to between min and max is hit.
                int steps = 2 * unit.channels();
                for (int i = 0; i <= steps; i++) {
                    counts.add(unit.keep(min + (max - min) * i / steps, multiple));
                }
            } else {
                counts.add(unit.keep(fixed.get(unit.name()), multiple));
            }
            choices.put(unit.name(), List.copyOf(counts));
        }
        return choices;
    }

    /**
     * Preserve ratios on the FLOPs budget (no {@code target}: the ratios as given, in whole aligned channels): the
     * projection of a suggestion onto the target. The ratios of the {@code searched} units are multiplied by one
     * factor ({@link BudgetProjection}, as AMC / PocketFlow's constrained search does): down when the suggestion
     * removes too few FLOPs, up (capped at 1) when it removes more than the target asks, since every channel the
     * budget allows is accuracy kept. No ratio goes below {@code min}. Whole (aligned) channels make FLOPs a step
     * function of the factor, so some budget is left; it is then given back one channel block at a time to the
     * searched unit it costs the fewest FLOPs, while the target still holds. The result is feasible and maximal: no
     * searched unit could keep one more block. Kept channels are aligned to {@code multiple}; the returned ratios are
     * exactly kept channels over channels, for every unit.
     */
    public static Map<String, Double> meetFlopsTarget(NetSpec net, Map<String, Double> ratios, Set<String> searched,
            Double target, double min, int multiple) {
        // The unpruned network's FLOPs, once: the projection below prices dozens of candidate networks against it.
        double baseFlops = CostModel.of(net).flops();
        List<PruningUnits.Unit> units = PruningUnits.of(net);
        Map<String, Integer> keep = PruningUnits.keepCounts(net, ratios, multiple);
        if (target != null && !searched.isEmpty()) {
            java.util.function.DoublePredicate feasible = t -> baseFlops / prunedFlops(net,
                    PruningUnits.keepCounts(net, scaled(ratios, searched, t, min), multiple)) >= target;
            double scale;
            if (baseFlops / prunedFlops(net, keep) < target) {
                scale = BudgetProjection.largestFeasibleScale(feasible);
            } else {
                // Over budget the other way: grow until every searched unit is whole, or the target binds.
                double smallest = searched.stream().mapToDouble(u -> Math.max(min, ratios.getOrDefault(u, 1.0)))
                        .min().orElse(1.0);
                scale = BudgetProjection.largestFeasibleScale(1.0, 1.0 / smallest, feasible);
            }
            keep = PruningUnits.keepCounts(net, scaled(ratios, searched, scale, min), multiple);
            giveBackSlack(net, units, keep, searched, baseFlops / target, multiple);
        }
        Map<String, Double> exact = new LinkedHashMap<>();
        for (PruningUnits.Unit unit : units) {
            exact.put(unit.name(), (double) keep.get(unit.name()) / unit.channels());
        }
        return exact;
    }

    /**
     * The baseline every search must beat: one preserve ratio for every unit, the largest whose network (kept
     * channels aligned to {@code multiple}) reaches {@code target}, without the slack given back unit by unit.
     */
    public static Map<String, Double> uniformRatios(NetSpec net, double target, int multiple) {
        double baseFlops = CostModel.of(net).flops();
        List<PruningUnits.Unit> units = PruningUnits.of(net);
        java.util.function.DoubleFunction<Map<String, Integer>> keepAt = r -> {
            Map<String, Double> ratios = new LinkedHashMap<>();
            units.forEach(u -> ratios.put(u.name(), r));
            return PruningUnits.keepCounts(net, ratios, multiple);
        };
        double ratio = BudgetProjection.largestFeasibleScale(r -> baseFlops / prunedFlops(net, keepAt.apply(r))
                >= target);
        Map<String, Integer> keep = keepAt.apply(ratio);
        Map<String, Double> exact = new LinkedHashMap<>();
        units.forEach(u -> exact.put(u.name(), (double) keep.get(u.name()) / u.channels()));
        return exact;
    }

    /** Grows the cheapest searched unit by one channel block while the network stays within {@code flopsBudget}. */
    private static void giveBackSlack(NetSpec net, List<PruningUnits.Unit> units, Map<String, Integer> keep,
            Set<String> searched, double flopsBudget, int multiple) {
        while (true) {
            String cheapest = null;
            int cheapestKeep = 0;
            double cheapestFlops = Double.POSITIVE_INFINITY;
            for (PruningUnits.Unit unit : units) {
                int now = keep.get(unit.name());
                if (!searched.contains(unit.name()) || now >= unit.channels()) {
                    continue;
                }
                int step = multiple > 1 && unit.channels() >= 2 * multiple ? multiple : 1;
                int grown = Math.min(unit.channels(), now + step);
                keep.put(unit.name(), grown);
                double flops = prunedFlops(net, keep);
                keep.put(unit.name(), now);
                if (flops <= flopsBudget && flops < cheapestFlops) {
                    cheapest = unit.name();
                    cheapestKeep = grown;
                    cheapestFlops = flops;
                }
            }
            if (cheapest == null) {
                return;
            }
            keep.put(cheapest, cheapestKeep);
        }
    }

    /** Preserve ratios by unit name from a configuration's {@code ratio.<unit>} entries (missing = 1.0). */
    public static Map<String, Double> ratiosOf(Map<String, Object> config) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(RATIO_PREFIX) && v instanceof Number n) {
                ratios.put(k.substring(RATIO_PREFIX.length()), n.doubleValue());
            }
        });
        return ratios;
    }

    /** Baseline FLOPs over the FLOPs of the network pruned with these ratios (whole channels, unaligned). */
    public static double flopsRatio(NetSpec net, Map<String, Double> ratios) {
        return flopsRatio(net, ratios, 1);
    }

    private static double flopsRatio(NetSpec net, Map<String, Double> ratios, int multiple) {
        return CostModel.of(net).flops() / prunedFlops(net, PruningUnits.keepCounts(net, ratios, multiple));
    }

    /** FLOPs of the network keeping these channel counts per unit. */
    private static double prunedFlops(NetSpec net, Map<String, Integer> keep) {
        return CostModel.of(PruningUnits.apply(net, keep)).flops();
    }

    private static int channelMultiple(Map<String, Object> p) {
        return p.get("channelMultiple") instanceof Number n ? n.intValue() : DEFAULT_CHANNEL_MULTIPLE;
    }

    /** Every unit's ratio: fixed ones from the parameters, the rest from the suggestion (or {@code fill}). */
    private static Map<String, Double> ratios(NetSpec net, Map<String, Object> p, Map<String, Object> suggestion,
            double fill) {
        Map<String, Double> suggested = ratiosOf(suggestion);
        Map<?, ?> fixed = p.get("ratios") instanceof Map<?, ?> m ? m : Map.of();
        Double uniform = p.get("ratio") instanceof Number n ? n.doubleValue() : null;
        Map<String, Double> ratios = new LinkedHashMap<>();
        for (PruningUnits.Unit unit : PruningUnits.of(net)) {
            double r;
            if (uniform != null) {
                r = uniform;
            } else if (fixed.get(unit.name()) instanceof Number n) {
                r = n.doubleValue();
            } else if (!Double.isNaN(fill)) {
                r = fill;
            } else {
                r = suggested.getOrDefault(unit.name(), 1.0);
            }
            ratios.put(unit.name(), r);
        }
        return ratios;
    }

    private static Set<String> searchedUnits(NetSpec net, Map<String, Object> p) {
        Set<String> searched = new java.util.LinkedHashSet<>();
        if (p.get("ratio") != null) {
            return searched;
        }
        Map<?, ?> fixed = p.get("ratios") instanceof Map<?, ?> m ? m : Map.of();
        for (PruningUnits.Unit unit : PruningUnits.of(net)) {
            if (!fixed.containsKey(unit.name())) {
                searched.add(unit.name());
            }
        }
        return searched;
    }

    private static Map<String, Double> scaled(Map<String, Double> ratios, Set<String> searched, double factor,
            double min) {
        Map<String, Double> out = new LinkedHashMap<>(ratios);
        for (String unit : searched) {
            out.put(unit, Math.min(1.0, Math.max(min, ratios.get(unit) * factor)));
        }
        return out;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
