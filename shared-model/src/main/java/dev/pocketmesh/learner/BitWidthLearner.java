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
 * A quantization learner: one bit width per weight layer ({@link MixedPrecision}), the target
 * {@code equivalentBits}, nothing to search without it. Subclasses add their own parameters and checks.
 */
abstract class BitWidthLearner extends WeightLearner {

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

    /** The job's {@code equivalentBits} target, or null. */
    public static Double target(JobSpec spec) {
        return spec.compression().target() == null ? null : spec.compression().target().get(MixedPrecision.TARGET);
    }
}
