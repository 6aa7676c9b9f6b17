package dev.pocketmesh.learner;

import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.Map;

/**
 * A learner that works layer by layer on weights (quantization, sparsification): its search space and its
 * projection depend on the network it is given, which alone is the job's network and in a pipeline is what the
 * earlier stages left.
 */
abstract class WeightLearner implements LearnerDescriptor {
    @Override
    public abstract SearchSpace searchSpace(JobSpec spec, NetSpec input);

    @Override
    public abstract Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec, NetSpec input);

    @Override
    public SearchSpace searchSpace(JobSpec spec) {
        return searchSpace(spec, JobNetwork.resolve(spec));
    }

    @Override
    public Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec) {
        return complete(suggestion, spec, JobNetwork.resolve(spec));
    }
}
