package dev.pocketmesh.learner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The learners a job can name in {@code compression.learner}. */
public final class LearnerCatalog {
    private final Map<String, LearnerDescriptor> learners = new LinkedHashMap<>();

    public LearnerCatalog(LearnerDescriptor... descriptors) {
        for (LearnerDescriptor d : descriptors) {
            learners.put(d.name(), d);
        }
    }

    public static LearnerCatalog standard() {
        LearnerDescriptor[] stages = {new ChannelPruningLearner(), new UniformQuantizationLearner(),
                new NonUniformQuantizationLearner(), new WeightSparsificationLearner()};
        LearnerCatalog catalog = new LearnerCatalog(new SimulatedLearner());
        for (LearnerDescriptor d : stages) {
            catalog.learners.put(d.name(), d);
        }
        catalog.learners.put(PipelineLearner.NAME, new PipelineLearner(stages));
        return catalog;
    }

    public Optional<LearnerDescriptor> find(String name) {
        return Optional.ofNullable(learners.get(name));
    }

    public LearnerDescriptor get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown learner '" + name + "'; known: " + names()));
    }

    public Set<String> names() {
        return learners.keySet();
    }
}
