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
 * {@code evaluation.alsoMeasureOn}, the final model on every profile: {@code profiles}), and for {@code objective: pareto} the front and why its pick was chosen.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobReport(String jobId, String name, JobState status, String message, String learner,
        Map<String, Double> target, String optimizer, TrialSummary baseline, TrialSummary finalModel,
        String bestTrialId, Map<String, Double> ratios, Counts counts, ParetoChoice.Choice pareto,
        Map<String, Object> finalSummary, List<TrialSummary> trials, Instant createdAt, Instant updatedAt,
        String deviceProfile,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ProfileMeasurement> profiles) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TrialSummary(String trialId, int number, TrialKind kind, TrialState state, int attempt,
            List<String> attempts, Map<String, Object> config, Map<String, Double> metrics, String artifactUri,
            String error, Long durationMs) {

        static TrialSummary of(TrialRecord t) {
            return new TrialSummary(t.trialId(), t.number(), t.kind(), t.state(), t.attempt(), t.attempts(),
                    t.config(), t.metrics(), t.artifactUri(), t.error(), t.durationMs());
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
