package dev.pocketmesh.worker.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The learners this worker can run, by the name a spec's {@code compression.learner} uses. */
@ApplicationScoped
public class LearnerRegistry {
    private final Map<String, Learner> learners = new TreeMap<>();

    public LearnerRegistry(@Any Instance<Learner> available) {
        for (Learner learner : available) {
            Learner previous = learners.put(learner.name(), learner);
            if (previous != null) {
                throw new IllegalStateException("two learners named '" + learner.name() + "': "
                        + previous.getClass().getName() + " and " + learner.getClass().getName());
            }
        }
    }

    public Optional<Learner> find(String name) {
        return Optional.ofNullable(name == null ? null : learners.get(name));
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(learners.keySet());
    }
}
