package dev.pocketmesh.hpo.service;

import dev.pocketmesh.learner.LearnerDescriptor;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.measure.LatencyModel;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.spec.JobSpec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Screens a study's proposals against the job's latency targets ({@code latencyMs}, {@code latencyRatio}) before
 * they are trained, NetAdapt-style: the candidate a configuration builds is estimated from the latency table the
 * evaluators of the job's device profile keep ({@link LatencyModel}). The hpo-service is not the device, so it only
 * reads the table: while the table lacks a piece of a candidate, the candidate's estimate is unknown and it goes out
 * unscreened (a log line says so). {@code latencyRatio} is checked against the baseline's estimate from the same
 * table. One screen serves one batch of proposals and caches its estimates by configuration.
 */
final class LatencyScreen {
    private static final Logger LOG = Logger.getLogger(LatencyScreen.class);

    /** Admits everything, estimates nothing: no latency target, no table yet, or candidates the table cannot cost. */
    static final LatencyScreen NONE = new LatencyScreen("", null, null, Map.of(), Map.of(), null);

    private final String jobId;
    private final LearnerDescriptor learner;
    private final NetSpec baseline;
    private final Map<String, Double> targets;
    private final Map<String, Double> table;
    private final Double baselineMs;
    private final Map<Map<String, Object>, Optional<Double>> estimates = new HashMap<>();

    private LatencyScreen(String jobId, LearnerDescriptor learner, NetSpec baseline, Map<String, Double> targets,
            Map<String, Double> table, Double baselineMs) {
        this.jobId = jobId;
        this.learner = learner;
        this.baseline = baseline;
        this.targets = targets;
        this.table = table;
        this.baselineMs = baselineMs;
    }

    /**
     * The screen of a job's proposals.
     *
     * @param baseline the job's uncompressed network, what {@code learner} compresses
     * @param tables   reads the device profile's table as stored (empty when none is); only called when the job has
     *                 a latency target its learner's candidates can be screened for
     */
    static LatencyScreen of(String jobId, JobSpec spec, LearnerDescriptor learner, Supplier<NetSpec> baseline,
            Supplier<Map<String, Double>> tables) {
        Map<String, Double> targets = new LinkedHashMap<>();
        if (spec.compression().target() != null) {
            spec.compression().target().forEach((key, value) -> {
                if (Objective.MEASURED_TARGETS.contains(key)) {
                    targets.put(key, value);
                }
            });
        }
        if (targets.isEmpty() || !learner.runsAsOutputNetwork()) {
            return NONE;
        }
        Map<String, Double> table = tables.get();
        if (table.isEmpty()) {
            LOG.infof("study %s: no latency table for its device profile yet; proposals go out unscreened", jobId);
            return NONE;
        }
        NetSpec network = baseline.get();
        OptionalDouble baselineEstimate = estimate(table, network);
        Double baselineMs = baselineEstimate.isPresent() ? baselineEstimate.getAsDouble() : null;
        if (baselineMs == null && targets.containsKey(Objective.LATENCY_RATIO)) {
            LOG.infof("study %s: the latency table lacks a piece of the baseline, so latencyRatio is not screened "
                    + "before training", jobId);
        }
        return new LatencyScreen(jobId, learner, network, targets, table, baselineMs);
    }

    /** The estimated latency (ms) of the candidate {@code config} builds, or null when the table cannot tell. */
    Double estimateMs(Map<String, Object> config) {
        if (this == NONE) {
            return null;
        }
        return estimates.computeIfAbsent(config, c -> {
            OptionalDouble estimate = estimate(table, learner.output(baseline, c));
            return estimate.isPresent() ? Optional.of(estimate.getAsDouble()) : Optional.empty();
        }).orElse(null);
    }

    /** Whether {@code config}'s estimate meets the latency targets; an unknown estimate is admitted unscreened. */
    boolean admits(Map<String, Object> config) {
        if (this == NONE) {
            return true;
        }
        Double estimate = estimateMs(config);
        if (estimate == null) {
            LOG.infof("study %s: the latency table lacks a piece of a candidate; proposed without a latency estimate "
                    + "(not screened against %s)", jobId, targets);
            return true;
        }
        Map<String, Double> estimated = new HashMap<>(Map.of(Objective.LATENCY_MS, estimate));
        if (baselineMs != null) {
            estimated.put(Objective.LATENCY_RATIO, baselineMs / estimate);
        }
        Map<String, Double> checkable = new HashMap<>(targets);
        checkable.keySet().retainAll(estimated.keySet());
        List<String> unmet = Objective.unmet(estimated, checkable);
        if (!unmet.isEmpty()) {
            LOG.debugf("study %s: candidate estimated at %.3f ms misses %s; asking the optimiser again", jobId,
                    estimate, unmet);
        }
        return unmet.isEmpty();
    }

    private static OptionalDouble estimate(Map<String, Double> table, NetSpec net) {
        try {
            return LatencyModel.estimateFromTable(table, net);
        } catch (IllegalArgumentException e) {
            return OptionalDouble.empty(); // a layer the latency model has no piece for: no estimate
        }
    }
}
