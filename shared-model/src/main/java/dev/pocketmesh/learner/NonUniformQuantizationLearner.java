package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code nonuniform-quantization}: each weight layer becomes 2^bits shared values (a k-means codebook per layer),
 * whose centroids are then fine-tuned; stored as packed indices plus the codebook. With a target
 * {@code equivalentBits} the study searches one bit width per layer.
 */
public final class NonUniformQuantizationLearner extends WeightLearner {
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
    public Set<String> targets() {
        return Set.of(MixedPrecision.TARGET);
    }

    @Override
    public Optional<String> checkTarget(String key, double value) {
        return value >= 2 && value <= 8 ? Optional.empty()
                : Optional.of("equivalentBits must be in [2, 8] (got " + MixedPrecision.fmt(value) + ")");
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

    @Override
    public List<FieldError> validateJob(JobSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        Optional<NetSpec> net = JobNetwork.resolve(spec, errors);
        if (net.isPresent()) {
            errors.addAll(MixedPrecision.validateJob(net.get(), withDefaults(spec.compression().params()),
                    target(spec)));
        }
        return errors;
    }

    @Override
    public SearchSpace searchSpace(JobSpec spec, NetSpec net) {
        return MixedPrecision.space(net, withDefaults(spec.compression().params()), target(spec));
    }

    @Override
    public Map<String, Object> baselineConfig(JobSpec spec) {
        return Map.of();
    }

    @Override
    public Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec, NetSpec net) {
        return MixedPrecision.complete(net, withDefaults(spec.compression().params()), target(spec), suggestion);
    }

    private static Double target(JobSpec spec) {
        return spec.compression().target() == null ? null : spec.compression().target().get(MixedPrecision.TARGET);
    }
}
