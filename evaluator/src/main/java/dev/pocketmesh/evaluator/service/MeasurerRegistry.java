package dev.pocketmesh.evaluator.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The measurers of this evaluator, by learner name. */
@ApplicationScoped
public class MeasurerRegistry {
    private final Map<String, Measurer> measurers = new TreeMap<>();

    public MeasurerRegistry(@Any Instance<Measurer> available) {
        for (Measurer measurer : available) {
            for (String learner : measurer.learners()) {
                Measurer previous = measurers.put(learner, measurer);
                if (previous != null) {
                    throw new IllegalStateException("two measurers for learner '" + learner + "': "
                            + previous.getClass().getName() + " and " + measurer.getClass().getName());
                }
            }
        }
    }

    public Optional<Measurer> find(String learner) {
        return Optional.ofNullable(learner == null ? null : measurers.get(learner));
    }

    public Set<String> learners() {
        return Collections.unmodifiableSet(measurers.keySet());
    }
}
