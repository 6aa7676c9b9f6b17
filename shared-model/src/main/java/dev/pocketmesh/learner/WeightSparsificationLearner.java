package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code weight-sparsification}: gradual magnitude pruning while fine-tuning (Zhu &amp; Gupta: sparsity rises from 0
 * at {@code begin} to the target at {@code end}, fractions of the fine-tuning steps, along a cubic with
 * {@code exponent}, masks updated every {@code interval} steps), unstructured ({@code block: 1}) or in 1xN blocks
 * (4, 8, 16). {@code scope: global} prunes by one magnitude threshold across layers (nothing to search);
 * {@code scope: per-layer} gives each layer its own sparsity, searched by the study in [0, maxSparsity] and projected
 * so that the share of weights pruned is the target {@code sparsity}.
 */
public final class WeightSparsificationLearner extends WeightLearner {
    public static final String NAME = "weight-sparsification";
    public static final String TARGET = "sparsity";
    public static final String SPARSITY_PREFIX = "sparsity.";
    private static final Map<String, Object> DEFAULTS = Map.of("scope", "global", "block", 1, "begin", 0.0,
            "end", 0.7, "exponent", 3.0, "interval", 50, "maxSparsity", 0.98);
    private static final Set<String> KNOWN = Set.of("scope", "block", "begin", "end", "exponent", "interval",
            "maxSparsity");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "gradual magnitude pruning of weights, unstructured or 1xN blocks; per-layer sparsities searched";
    }

    @Override
    public Set<String> targets() {
        return Set.of(TARGET);
    }

    @Override
    public Optional<String> checkTarget(String key, double value) {
        return value > 0 && value < 1 ? Optional.empty()
                : Optional.of("sparsity is the share of weights pruned: must be in (0, 1) (got " + value + ")");
    }

    @Override
    public List<FieldError> validate(Map<String, Object> params, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        ParamReader reader = new ParamReader(params, prefix, errors);
        reader.rejectUnknown(KNOWN);
        reader.oneOf("scope", List.of("global", "per-layer"));
        Object block = params == null ? null : params.get("block");
        if (block != null && !List.of(1, 4, 8, 16).contains(block)) {
            errors.add(new FieldError(prefix + ".block", "must be 1 (unstructured), 4, 8 or 16 (got " + block + ")"));
        }
        reader.number("begin", 0, 1);
        reader.number("end", 0, 1);
        reader.number("exponent", 1, 10);
        reader.integer("interval", 1, 100_000);
        reader.number("maxSparsity", 0.01, 0.999);
        Map<String, Object> p = withDefaults(params == null ? Map.of() : params);
        if (errors.isEmpty() && ParamReader.doubleOr(p, "begin", 0) > ParamReader.doubleOr(p, "end", 0.7)) {
            errors.add(new FieldError(prefix + ".begin", "must not exceed end"));
        }
        return errors;
    }

    @Override
    public Map<String, Object> withDefaults(Map<String, Object> params) {
        return ParamReader.withDefaults(DEFAULTS, params);
    }

    @Override
    public List<FieldError> validateJob(JobSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        Double target = target(spec);
        if (target == null) {
            errors.add(new FieldError("compression.target.sparsity", "is required: the share of weights to prune, "
                    + "e.g. 0.75"));
        } else if (target > ParamReader.doubleOr(withDefaults(spec.compression().params()), "maxSparsity", 0.98)) {
            errors.add(new FieldError("compression.target.sparsity", "cannot be met: no layer may be pruned beyond "
                    + "maxSparsity " + withDefaults(spec.compression().params()).get("maxSparsity")));
        }
        if (spec.training().epochs() < 1 || spec.training().finalEpochs() < 1) {
            errors.add(new FieldError("training.epochs", "weight sparsification prunes while it fine-tunes: "
                    + "epochs and finalEpochs must be at least 1"));
        }
        JobNetwork.resolve(spec, errors);
        return errors;
    }

    @Override
    public SearchSpace searchSpace(JobSpec spec, NetSpec net) {
        Map<String, Object> p = withDefaults(spec.compression().params());
        if (!"per-layer".equals(p.get("scope"))) {
            return new SearchSpace(List.of());
        }
        List<WeightLayers.WeightLayer> layers = WeightLayers.of(net);
        List<Parameter> dims = new ArrayList<>();
        Map<String, List<Double>> features = new LinkedHashMap<>();
        double max = ParamReader.doubleOr(p, "maxSparsity", 0.98);
        for (int i = 0; i < layers.size(); i++) {
            dims.add(new Parameter.FloatParameter(SPARSITY_PREFIX + layers.get(i).name(), 0, max, false));
            features.put(SPARSITY_PREFIX + layers.get(i).name(), LayerBudget.descriptor(layers, i));
        }
        return new SearchSpace(dims, features);
    }

    @Override
    public Map<String, Object> baselineConfig(JobSpec spec) {
        return Map.of();
    }

    /** Per-layer scope: each layer's sparsity, projected so that the pruned share of all weights is the target. */
    @Override
    public Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec, NetSpec net) {
        Map<String, Object> p = withDefaults(spec.compression().params());
        Map<String, Object> config = new LinkedHashMap<>();
        if (!"per-layer".equals(p.get("scope"))) {
            return config;
        }
        List<WeightLayers.WeightLayer> layers = WeightLayers.of(net);
        Map<String, Double> suggested = new LinkedHashMap<>();
        for (WeightLayers.WeightLayer l : layers) {
            Object v = suggestion.get(SPARSITY_PREFIX + l.name());
            suggested.put(l.name(), v instanceof Number n ? n.doubleValue() : target(spec));
        }
        LayerBudget.atLeast(layers, suggested, ParamReader.doubleOr(p, "maxSparsity", 0.98), target(spec))
                .forEach((layer, s) -> config.put(SPARSITY_PREFIX + layer, s));
        return config;
    }

    /** Sparsities by layer from a completed configuration (empty for the global scope). */
    public static Map<String, Double> sparsitiesOf(Map<String, Object> config) {
        Map<String, Double> out = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(SPARSITY_PREFIX) && v instanceof Number n) {
                out.put(k.substring(SPARSITY_PREFIX.length()), n.doubleValue());
            }
        });
        return out;
    }

    private static Double target(JobSpec spec) {
        return spec.compression().target() == null ? null : spec.compression().target().get(TARGET);
    }
}
