package dev.pocketmesh.evaluator.service;

import java.util.Map;

/**
 * Measures candidates of one learner on this evaluator's device: accuracy on held-out data, latency, size,
 * FLOPs, parameters. One implementation per {@code compression.learner} name, found by
 * {@link MeasurerRegistry}; the messaging around it is the same for every learner.
 *
 * <p>Implementations are CDI beans; they must be pure (the same candidate gives the same metrics), since a
 * redelivered request is simply measured again.
 */
public interface Measurer {

    /** The learner names whose candidates this measures. */
    java.util.Set<String> learners();

    /**
     * @return the metrics of the candidate, by name ({@code accuracy}, {@code latencyMs}, {@code bytes}...)
     * @throws Exception when the candidate cannot be measured: the trial is reported FAILED with its message
     */
    Map<String, Double> measure(Candidate candidate) throws Exception;
}
