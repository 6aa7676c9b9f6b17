package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code nonuniform-quantization}: each weight layer becomes 2^bits shared values (a k-means codebook per layer),
 * whose centroids are then fine-tuned; stored as packed indices plus the codebook. With a target
 * {@code equivalentBits} the study searches one bit width per layer.
 */
public final class NonUniformQuantizationLearner extends BitWidthLearner {
    public static final String NAME = "nonuniform-quantization";
    private static final Map<String, Object> DEFAULTS = Map.of("bits", 4, "minBits", 2, "maxBits", 8);
    private static final Set<String> KNOWN = Set.of("bits", "layerBits", "minBits", "maxBits");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "weight sharing: a k-means codebook per layer, centroids fine-tuned; mixed precision searched";
    }

    @Override
    public List<FieldError> validate(Map<String, Object> params, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        ParamReader reader = new ParamReader(params, prefix, errors);
        reader.rejectUnknown(KNOWN);
        MixedPrecision.validateParams(reader, params == null ? Map.of() : params, prefix, errors);
        return errors;
    }

    @Override
    public Map<String, Object> withDefaults(Map<String, Object> params) {
        return ParamReader.withDefaults(DEFAULTS, params);
    }
}
