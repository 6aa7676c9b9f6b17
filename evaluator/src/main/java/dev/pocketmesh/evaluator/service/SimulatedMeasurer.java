package dev.pocketmesh.evaluator.service;

import dev.pocketmesh.learner.SimulatedLearner;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** {@code simulated}: the metrics are a function of the configuration (see {@link SimulatedLearner}). */
@ApplicationScoped
public class SimulatedMeasurer implements Measurer {

    @Override
    public java.util.Set<String> learners() {
        return java.util.Set.of(SimulatedLearner.NAME);
    }

    @Override
    public Map<String, Double> measure(Candidate candidate) {
        return SimulatedLearner.measure(candidate.request().config(), candidate.params(), candidate.seed(),
                candidate.request().trialNumber());
    }
}
