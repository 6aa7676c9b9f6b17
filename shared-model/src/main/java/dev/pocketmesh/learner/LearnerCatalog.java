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
        return new LearnerCatalog(new SimulatedLearner(), new ChannelPruningLearner());
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
