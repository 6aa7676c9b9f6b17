package dev.pocketmesh.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.device.DeviceProfile;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The final model as one device profile measured it: a row of the report's per-profile table. The primary profile
 * ({@code evaluation.device}) comes from the FINAL trial, each extra one ({@code evaluation.alsoMeasureOn}) from its
 * own evaluator's result. Latencies are batch 1 (median and p90); {@code batchLatencyMs} is the median at the
 * profile's larger batch ({@code batch}) when it has one; {@code speedup} is against the baseline timed by the same
 * evaluator in the same run; {@code accuracy} is test top-1 in that evaluator's runtime. {@code state} is PENDING
 * while a measurement is awaited, FAILED with {@code error} when the evaluator could not measure.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProfileMeasurement(String profile, boolean primary, String state, String runtime, Integer threads,
        Integer batch, Double latencyMs, Double latencyP90Ms, Double batchLatencyMs, Double speedup, Double accuracy,
        String measuredBy, String error) {
    public static final String PENDING = "PENDING";

    /**
     * The table for a job measured on extra profiles (empty for a job with one profile, whose report has its numbers
     * already): the primary first, then the extras in the order the job lists them.
     */
    static List<ProfileMeasurement> of(JobSpec spec, Map<String, Double> finalMetrics,
            Map<String, TrialResult> extra) {
        if (spec == null || spec.evaluation() == null || spec.evaluation().alsoMeasureOn().isEmpty()) {
            return List.of();
        }
        List<ProfileMeasurement> rows = new ArrayList<>();
        String primary = spec.evaluation().device();
        rows.add(finalMetrics == null ? pending(primary, true)
                : measured(primary, true, TrialState.EVALUATED.name(), finalMetrics, null, null));
        for (String profile : spec.evaluation().alsoMeasureOn()) {
            TrialResult result = extra.get(profile);
            rows.add(result == null ? pending(profile, false)
                    : measured(profile, false, result.state().name(), result.metrics(), result.reportedBy(),
                            result.error()));
        }
        return rows;
    }

    private static ProfileMeasurement pending(String profile, boolean primary) {
        return new ProfileMeasurement(profile, primary, PENDING, runtime(profile), null, null, null, null, null, null,
                null, null, null);
    }

    private static ProfileMeasurement measured(String profile, boolean primary, String state,
            Map<String, Double> m, String measuredBy, String error) {
        Map<String, Double> metrics = m == null ? Map.of() : m;
        Double accuracy = metrics.containsKey("testAccuracy") ? metrics.get("testAccuracy") : metrics.get("accuracy");
        return new ProfileMeasurement(profile, primary, state, runtime(profile), integer(metrics.get("latencyThreads")),
                integer(metrics.getOrDefault("latencyBatch", metrics.containsKey("latencyMs") ? 1.0 : null)),
                metrics.get("latencyMs"), metrics.get("latencyP90Ms"), metrics.get("latencyBatchMs"),
                metrics.get("latencySpeedup"), accuracy, measuredBy, error);
    }

    /** The profile's runtime and execution provider, as the evaluators of that profile measure by default. */
    private static String runtime(String profile) {
        return DeviceProfile.find(profile).map(d -> d.runtime() + " (" + d.provider() + ")").orElse(null);
    }

    private static Integer integer(Double v) {
        return v == null ? null : (int) Math.round(v);
    }

    /** The table as Markdown (nothing for an empty one). */
    static String markdown(List<ProfileMeasurement> rows) {
        if (rows == null || rows.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## Final model on each device profile\n\n")
                .append("Latency at batch 1; speedup against the baseline timed by the same evaluator in the same run; "
                        + "test accuracy in that evaluator's runtime.\n\n")
                .append("| profile | state | runtime | threads | batch | median ms | p90 ms | batch median ms "
                        + "| speedup | accuracy | |\n")
                .append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (ProfileMeasurement r : rows) {
            md.append("| `").append(r.profile()).append('`').append(r.primary() ? " (primary)" : "").append(" | ")
                    .append(r.state()).append(" | ").append(text(r.runtime())).append(" | ")
                    .append(text(r.threads())).append(" | ").append(text(r.batch())).append(" | ")
                    .append(num(r.latencyMs())).append(" | ").append(num(r.latencyP90Ms())).append(" | ")
                    .append(num(r.batchLatencyMs())).append(" | ")
                    .append(r.speedup() == null ? "" : String.format(Locale.ROOT, "%.2fx", r.speedup()))
                    .append(" | ").append(num(r.accuracy())).append(" | ")
                    .append(r.error() == null ? "" : r.error().replace('|', '/').replace('\n', ' ')).append(" |\n");
        }
        return md.toString();
    }

    private static String text(Object v) {
        return v == null ? "" : String.valueOf(v);
    }

    private static String num(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
