package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.SearchSpace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One bit width per weight layer ({@code bits.<layer>} in the configuration), shared by the quantization learners.
 * Without an {@code equivalentBits} target every layer gets {@code bits} (or its entry in {@code layerBits}); with
 * one, the study searches a width per layer in [minBits, maxBits] and every proposal is projected so that the mean
 * bits per weight, weighted by the layers' weight counts, is at most the target.
 */
final class MixedPrecision {
    static final String BITS_PREFIX = "bits.";
    static final String TARGET = dev.pocketmesh.search.Objective.EQUIVALENT_BITS;

    private MixedPrecision() {
    }

    static void validateParams(ParamReader reader, Map<String, Object> p, String prefix, List<FieldError> errors) {
        reader.integer("bits", 2, 8);
        reader.integer("minBits", 2, 8);
        reader.integer("maxBits", 2, 8);
        if (p.get("layerBits") != null) {
            if (!(p.get("layerBits") instanceof Map<?, ?> m)) {
                errors.add(new FieldError(prefix + ".layerBits", "must map layer names to bit widths"));
            } else {
                m.forEach((k, v) -> {
                    if (!(v instanceof Integer b) || b < 2 || b > 8) {
                        errors.add(new FieldError(prefix + ".layerBits." + k, "must be an integer in [2, 8] (got " + v
                                + ")"));
                    }
                });
            }
        }
        if (p.get("minBits") instanceof Integer lo && p.get("maxBits") instanceof Integer hi && lo > hi) {
            errors.add(new FieldError(prefix + ".minBits", "must not exceed maxBits"));
        }
    }

    static List<FieldError> validateJob(NetSpec net, Map<String, Object> p, Double target) {
        List<FieldError> errors = new ArrayList<>();
        List<String> names = WeightLayers.names(net);
        if (p.get("layerBits") instanceof Map<?, ?> m) {
            for (Object key : m.keySet()) {
                if (!names.contains(key.toString())) {
                    errors.add(new FieldError("compression.params.layerBits." + key, "no conv or linear layer of that "
                            + "name in " + net.name() + "; layers: " + names));
                }
            }
        }
        if (target != null) {
            int low = ParamReader.intOr(p, "minBits", 2);
            int high = ParamReader.intOr(p, "maxBits", 8);
            if (target < low) {
                errors.add(new FieldError("compression.target.equivalentBits", "cannot be met: " + fmt(target)
                        + " bits per weight is below minBits " + low + " (the fewest bits any layer may have)"));
            } else if (target > 8) {
                errors.add(new FieldError("compression.target.equivalentBits", "must be at most 8 (got "
                        + fmt(target) + ")"));
            } else if (target >= high) {
                // Nothing to search: every layer at maxBits meets it. Allowed, but the space is empty.
                return errors;
            }
        }
        return errors;
    }

    static SearchSpace space(NetSpec net, Map<String, Object> p, Double target) {
        if (target == null) {
            return new SearchSpace(List.of());
        }
        int low = ParamReader.intOr(p, "minBits", 2);
        int high = ParamReader.intOr(p, "maxBits", 8);
        List<WeightLayers.WeightLayer> layers = WeightLayers.of(net);
        List<Parameter> dims = new ArrayList<>();
        Map<String, List<Double>> features = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            dims.add(new Parameter.IntParameter(BITS_PREFIX + layers.get(i).name(), low, high));
            features.put(BITS_PREFIX + layers.get(i).name(), LayerBudget.descriptor(layers, i));
        }
        return new SearchSpace(dims, features);
    }

    /** The bit width of every weight layer for a suggestion, on the target when there is one. */
    static Map<String, Object> complete(NetSpec net, Map<String, Object> p, Double target,
            Map<String, Object> suggestion) {
        List<WeightLayers.WeightLayer> layers = WeightLayers.of(net);
        int bits = ParamReader.intOr(p, "bits", 8);
        Map<?, ?> fixed = p.get("layerBits") instanceof Map<?, ?> m ? m : Map.of();
        Map<String, Integer> chosen = new LinkedHashMap<>();
        for (WeightLayers.WeightLayer l : layers) {
            Object s = suggestion.get(BITS_PREFIX + l.name());
            int b = fixed.get(l.name()) instanceof Number n ? n.intValue() : bits;
            chosen.put(l.name(), target != null && s instanceof Number n ? n.intValue() : b);
        }
        if (target != null) {
            chosen = LayerBudget.atMost(layers, chosen, ParamReader.intOr(p, "minBits", 2),
                    ParamReader.intOr(p, "maxBits", 8), target);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        chosen.forEach((layer, b) -> config.put(BITS_PREFIX + layer, b));
        return config;
    }

    /** Bit widths by layer from a configuration's {@code bits.<layer>} entries. */
    static Map<String, Integer> bitsOf(Map<String, Object> config) {
        Map<String, Integer> bits = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(BITS_PREFIX) && v instanceof Number n) {
                bits.put(k.substring(BITS_PREFIX.length()), n.intValue());
            }
        });
        return bits;
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
