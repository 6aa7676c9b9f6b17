package dev.pocketmesh.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.ParetoChoice;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.TrialRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a job did, as {@code report.json}: baseline and final measurements, their ratios, every trial with
 * its configuration and metrics, the device profile that measured them (and, for a job with
 * {@code evaluation.alsoMeasureOn}, the final model on every profile: {@code profiles}), and for
 * {@code objective: pareto} the front and why its pick was chosen. A trial the hpo-service screened by the latency
 * model before training also shows that estimate ({@value #PROPOSAL_ESTIMATE}) and its error against the measured
 * latency ({@value #PROPOSAL_ERROR}) among its metrics; {@code latencyEstimate} sums those errors up over the job's
 * trials.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobReport(String jobId, String name, JobState status, String message, String learner,
        Map<String, Double> target, String optimizer, TrialSummary baseline, TrialSummary finalModel,
        String bestTrialId, Map<String, Double> ratios, Counts counts, ParetoChoice.Choice pareto,
        Map<String, Object> finalSummary, List<TrialSummary> trials, Instant createdAt, Instant updatedAt,
        String deviceProfile, LatencyEstimate latencyEstimate,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ProfileMeasurement> profiles) {
    /** The latency model's estimate of a search trial's candidate when it was proposed, in ms. */
    public static final String PROPOSAL_ESTIMATE = "proposalEstimatedLatencyMs";
    /** That estimate's error against the measured {@code latencyMs}, in percent of the measurement (signed). */
    public static final String PROPOSAL_ERROR = "proposalLatencyErrorPct";

    /** How far the estimates made at proposal time were from the measurements: median of |error| over trials. */
    public record LatencyEstimate(int trials, double medianAbsErrorPct) {
        static LatencyEstimate of(List<TrialSummary> trials) {
            double[] errors = trials.stream().map(TrialSummary::metrics)
                    .filter(m -> m != null && m.get(PROPOSAL_ERROR) != null)
                    .mapToDouble(m -> Math.abs(m.get(PROPOSAL_ERROR))).sorted().toArray();
            return errors.length == 0 ? null
                    : new LatencyEstimate(errors.length, dev.pocketmesh.stats.Quantiles.of(errors, 0.5));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TrialSummary(String trialId, int number, TrialKind kind, TrialState state, int attempt,
            List<String> attempts, Map<String, Object> config, Map<String, Double> metrics, String artifactUri,
            String error, Long durationMs) {

        static TrialSummary of(TrialRecord t) {
            return new TrialSummary(t.trialId(), t.number(), t.kind(), t.state(), t.attempt(), t.attempts(),
                    t.config(), withProposalEstimate(t), t.artifactUri(), t.error(), t.durationMs());
        }

        /** The trial's metrics, plus the latency estimate it was proposed with and its error, where it has one. */
        private static Map<String, Double> withProposalEstimate(TrialRecord t) {
            Double estimate = t.proposal() == null ? null : t.proposal().estimatedLatencyMs();
            if (estimate == null) {
                return t.metrics();
            }
            Map<String, Double> metrics = new LinkedHashMap<>(t.metrics() == null ? Map.of() : t.metrics());
            metrics.put(PROPOSAL_ESTIMATE, estimate);
            Double measured = metrics.get("latencyMs");
            if (measured != null && measured > 0) {
                metrics.put(PROPOSAL_ERROR, 100 * (estimate - measured) / measured);
            }
            return metrics;
        }
    }

    /** Search trials by final state. */
    public record Counts(int total, int evaluated, int failed, int pruned, int unfinished) {
    }

    @com.fasterxml.jackson.annotation.JsonProperty("final")
    public TrialSummary finalModel() {
        return finalModel;
    }

    public static JobReport build(JobRecord job, List<TrialRecord> trials) {
        return build(job, trials, null);
    }

    /**
     * @param finalSummary what the worker did to build the final model (its manifest's summary: kept channels, bit
     *                     widths, sparsities; a pipeline's stage by stage), or null
     */
    public static JobReport build(JobRecord job, List<TrialRecord> trials, Map<String, Object> finalSummary) {
        return build(job, trials, finalSummary, Map.of());
    }

    /** @param extraProfiles the final model's results on the job's extra device profiles, by profile */
    public static JobReport build(JobRecord job, List<TrialRecord> trials, Map<String, Object> finalSummary,
            Map<String, TrialResult> extraProfiles) {
        TrialSummary baseline = null;
        TrialSummary fin = null;
        List<TrialSummary> search = new java.util.ArrayList<>();
        int evaluated = 0;
        int failed = 0;
        int pruned = 0;
        for (TrialRecord t : trials) {
            switch (t.kind()) {
                case BASELINE -> baseline = TrialSummary.of(t);
                case FINAL -> fin = TrialSummary.of(t);
                case SEARCH -> {
                    search.add(TrialSummary.of(t));
                    switch (t.state()) {
                        case EVALUATED -> evaluated++;
                        case FAILED -> failed++;
                        case PRUNED -> pruned++;
                        default -> { }
                    }
                }
            }
        }
        var spec = job.spec();
        return new JobReport(job.jobId(), job.name(), job.state(), job.message(),
                spec == null ? null : spec.compression().learner(),
                spec == null ? null : spec.compression().target(),
                spec == null ? null : spec.search().optimizer(), baseline, fin, job.bestTrialId(),
                ratios(baseline, fin),
                new Counts(search.size(), evaluated, failed, pruned, search.size() - evaluated - failed - pruned),
                spec != null && spec.search().isPareto() ? ParetoChoice.ofTrials(trials, spec).orElse(null) : null,
                finalSummary, search, job.createdAt(), job.updatedAt(),
                spec == null || spec.evaluation() == null ? null : spec.evaluation().device(),
                LatencyEstimate.of(search),
                ProfileMeasurement.of(spec, fin == null || fin.state() != TrialState.EVALUATED ? null : fin.metrics(),
                        extraProfiles));
    }

    /**
     * Baseline ÷ final for the cost metrics (bigger is better: "2.0x fewer FLOPs"), and the accuracy change in
     * points (final − baseline, × 100) on the test split when both were measured there, else on validation. The
     * latency ratio is the final model's {@code latencySpeedup} when the evaluator timed it against the baseline
     * in one run (a ratio from one run is robust to a noisy machine); otherwise it divides the two medians.
     */
    static Map<String, Double> ratios(TrialSummary baseline, TrialSummary fin) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        if (baseline == null || fin == null || baseline.metrics() == null || fin.metrics() == null) {
            return ratios;
        }
        Map<String, Double> b = baseline.metrics();
        Map<String, Double> f = fin.metrics();
        Map<String, String> costs = Map.of("flops", "flopsFraction", "latency", "latencyMs", "bytes", "bytes",
                "params", "params");
        for (String name : List.of("flops", "latency", "bytes", "params")) {
            Double bv = b.get(costs.get(name));
            Double fv = f.get(costs.get(name));
            if (name.equals("latency") && f.get("latencySpeedup") != null) {
                ratios.put("latencyReduction", f.get("latencySpeedup"));
            } else if (bv != null && fv != null && fv > 0) {
                ratios.put(name + "Reduction", bv / fv);
            }
        }
        String accuracy = b.get("testAccuracy") != null && f.get("testAccuracy") != null ? "testAccuracy" : "accuracy";
        Double ba = b.get(accuracy);
        Double fa = f.get(accuracy);
        if (ba != null && fa != null) {
            ratios.put("accuracyChangePoints", (fa - ba) * 100);
        }
        return ratios;
    }
}
