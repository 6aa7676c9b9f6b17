package dev.pocketmesh.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.search.Pareto;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The data behind a job's plots, computed once from its {@link JobReport}: the report's PNG images are drawn
 * from it, and the dashboard fetches it as JSON, so both show the same front and the same curve.
 *
 * @param scatter   accuracy against a cost (latency when the trials were timed, else bytes): every evaluated search
 *                  trial, the Pareto front among them, and the baseline
 * @param bestSoFar the best objective value after each evaluated search trial, in trial order
 * @param layers    the per-layer parameters (preserve ratios, bit widths, sparsities) of the best trial, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportCharts(Scatter scatter, List<Point> bestSoFar, Layers layers) {
    /** The costs a scatter can use, in order of preference: measured latency first. */
    static final List<String> COSTS = List.of("latencyMs", "bytes");

    /** One plotted point; {@code number} and {@code trialId} say which trial it is (the baseline has neither). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(Integer number, String trialId, double x, double y) {
    }

    /** {@code front}: the members of {@code trials} no other trial beats on both accuracy and cost, cheapest first. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scatter(String cost, List<Point> trials, List<Point> front, Point baseline) {
    }

    /** One per-layer parameter of a trial's configuration, e.g. {@code ratio.conv2 = 0.5} as (ratio, conv2, 0.5). */
    public record LayerValue(String parameter, String layer, double value) {
    }

    public record Layers(String trialId, int number, List<LayerValue> values) {
    }

    public static ReportCharts of(JobReport report) {
        List<JobReport.TrialSummary> evaluated = report.trials().stream()
                .filter(t -> t.state() == TrialState.EVALUATED && t.metrics() != null
                        && t.metrics().get(Objective.METRIC) != null)
                .sorted(Comparator.comparingInt(JobReport.TrialSummary::number)).toList();
        return new ReportCharts(scatter(report, evaluated), bestSoFar(report, evaluated), layers(report, evaluated));
    }

    private static Scatter scatter(JobReport report, List<JobReport.TrialSummary> evaluated) {
        String cost = report.pareto() != null ? report.pareto().cost()
                : COSTS.stream().filter(c -> evaluated.stream().anyMatch(t -> t.metrics().get(c) != null))
                        .findFirst().orElse(null);
        if (cost == null) {
            return null;
        }
        List<Point> points = evaluated.stream().filter(t -> t.metrics().get(cost) != null)
                .map(t -> new Point(t.number(), t.trialId(), t.metrics().get(cost), t.metrics().get(Objective.METRIC)))
                .toList();
        List<Pareto.Point> candidates = points.stream()
                .map(p -> new Pareto.Point(p.number(), new double[] {p.y(), -p.x()})).toList();
        List<Integer> onFront = Pareto.front(candidates).stream().map(Pareto.Point::number).toList();
        List<Point> front = points.stream().filter(p -> onFront.contains(p.number()))
                .sorted(Comparator.comparingDouble(Point::x)).toList();
        Map<String, Double> b = report.baseline() == null ? null : report.baseline().metrics();
        Point baseline = b != null && b.get(cost) != null && b.get(Objective.METRIC) != null
                ? new Point(null, null, b.get(cost), b.get(Objective.METRIC)) : null;
        return new Scatter(cost, points, front, baseline);
    }

    private static List<Point> bestSoFar(JobReport report, List<JobReport.TrialSummary> evaluated) {
        List<Point> curve = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        String bestId = null;
        for (JobReport.TrialSummary t : evaluated) {
            double value = Objective.value(t.metrics(), report.target());
            if (value > best) {
                best = value;
                bestId = t.trialId();
            }
            curve.add(new Point(t.number(), bestId, t.number(), best));
        }
        return curve;
    }

    /** The job's chosen trial, else the best evaluated one; null when it has no per-layer parameters. */
    private static Layers layers(JobReport report, List<JobReport.TrialSummary> evaluated) {
        JobReport.TrialSummary trial = report.trials().stream()
                .filter(t -> t.trialId().equals(report.bestTrialId())).findFirst()
                .or(() -> Objective.best(evaluated, t -> Objective.value(t.metrics(), report.target()),
                        JobReport.TrialSummary::number))
                .orElse(null);
        return trial == null ? null : layersOf(trial);
    }

    /** A trial's per-layer parameters (config keys {@code <parameter>.<layer>} with numbers), or null if none. */
    public static Layers layersOf(JobReport.TrialSummary trial) {
        if (trial.config() == null) {
            return null;
        }
        List<LayerValue> values = new ArrayList<>();
        trial.config().forEach((key, value) -> {
            int dot = key.indexOf('.');
            if (dot > 0 && dot < key.length() - 1 && value instanceof Number n) {
                values.add(new LayerValue(key.substring(0, dot), key.substring(dot + 1), n.doubleValue()));
            }
        });
        return values.isEmpty() ? null : new Layers(trial.trialId(), trial.number(), values);
    }
}
