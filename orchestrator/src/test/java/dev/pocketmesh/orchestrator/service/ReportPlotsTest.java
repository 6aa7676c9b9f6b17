package dev.pocketmesh.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.report.JobReport;
import dev.pocketmesh.report.ReportCharts;
import dev.pocketmesh.report.ReportFiles;
import dev.pocketmesh.report.ReportMarkdown;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.TrialRecord;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;

/** The report's PNG plots: drawn from the trials, decodable, and holding one point per trial that should be drawn. */
class ReportPlotsTest {
    private static final int LAYERS = 4;

    @Test
    void plotsHoldEveryEvaluatedTrialTheFrontAndTheBaseline() throws IOException {
        List<TrialRecord> trials = trials(11, true);
        JobReport report = JobReport.build(job(), trials);
        ReportCharts charts = ReportCharts.of(report);

        // Expected from the trials themselves: evaluated search trials are points, failed and pruned ones are not.
        List<TrialRecord> evaluated = trials.stream()
                .filter(t -> t.kind() == TrialKind.SEARCH && t.state() == TrialState.EVALUATED).toList();
        long front = evaluated.stream().filter(a -> evaluated.stream().noneMatch(b -> dominates(b, a))).count();
        assertThat(evaluated).hasSizeLessThan(trials.size() - 1); // the fixture has failed and pruned trials too

        Map<ReportFiles.Plot, JFreeChart> drawn = ReportPlots.charts(charts);
        assertThat(drawn.keySet()).containsExactlyElementsOf(ReportFiles.PLOTS);
        XYDataset scatter = drawn.get(ReportFiles.SCATTER).getXYPlot().getDataset();
        assertThat(scatter.getItemCount(0)).isEqualTo(evaluated.size());
        assertThat(scatter.getItemCount(1)).isEqualTo((int) front);
        assertThat(scatter.getItemCount(2)).as("the baseline").isEqualTo(1);
        assertThat(charts.scatter().cost()).isEqualTo("latencyMs");

        XYDataset curve = drawn.get(ReportFiles.BEST_SO_FAR).getXYPlot().getDataset();
        assertThat(curve.getItemCount(0)).isEqualTo(evaluated.size());
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < evaluated.size(); i++) {
            best = Math.max(best, evaluated.get(i).metrics().get("accuracy"));
            assertThat(curve.getYValue(0, i)).isEqualTo(best);
            assertThat(curve.getXValue(0, i)).isEqualTo(evaluated.get(i).number());
        }

        CategoryDataset layers = drawn.get(ReportFiles.LAYERS).getCategoryPlot().getDataset();
        assertThat(layers.getColumnCount()).isEqualTo(LAYERS);
        TrialRecord bestTrial = evaluated.stream()
                .max(java.util.Comparator.comparingDouble(t -> t.metrics().get("accuracy"))).orElseThrow();
        assertThat(charts.layers().trialId()).isEqualTo(bestTrial.trialId());
        assertThat(layers.getValue("ratio", "0").doubleValue()).isEqualTo(bestTrial.config().get("ratio.0"));

        Map<ReportFiles.Plot, byte[]> pngs = ReportPlots.render(charts);
        assertThat(pngs.keySet()).containsExactlyElementsOf(ReportFiles.PLOTS);
        for (byte[] png : pngs.values()) {
            assertThat(png).isNotEmpty();
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image).as("decodes as an image").isNotNull();
            assertThat(image.getWidth()).isEqualTo(ReportPlots.WIDTH);
            assertThat(image.getHeight()).isEqualTo(ReportPlots.HEIGHT);
        }

        String markdown = ReportMarkdown.render(report, List.copyOf(pngs.keySet()));
        for (ReportFiles.Plot plot : ReportFiles.PLOTS) {
            assertThat(markdown).contains("](" + plot.file() + ")");
        }
        String html = ReportHtml.render("report", markdown);
        assertThat(html).contains("<img src=\"" + ReportFiles.SCATTER.file() + "\"", "<table>");
    }

    @Test
    void withoutLatencyTheScatterUsesBytes() {
        List<TrialRecord> trials = trials(5, false);
        ReportCharts charts = ReportCharts.of(JobReport.build(job(), trials));
        assertThat(charts.scatter().cost()).isEqualTo("bytes");
        long evaluated = trials.stream().filter(t -> t.kind() == TrialKind.SEARCH
                && t.state() == TrialState.EVALUATED).count();
        assertThat(ReportPlots.charts(charts).get(ReportFiles.SCATTER).getXYPlot().getDataset().getItemCount(0))
                .isEqualTo((int) evaluated);
    }

    @Test
    void userTextInTheReportIsEscapedInHtml() {
        assertThat(ReportHtml.render("<b>", "# a <script>alert(1)</script>")).doesNotContain("<script>")
                .contains("&lt;script&gt;");
    }

    private static boolean dominates(TrialRecord b, TrialRecord a) {
        double ba = b.metrics().get("accuracy");
        double aa = a.metrics().get("accuracy");
        double bc = b.metrics().get("latencyMs");
        double ac = a.metrics().get("latencyMs");
        return ba >= aa && bc <= ac && (ba > aa || bc < ac);
    }

    private static JobRecord job() {
        return new JobRecord("plots", "plots", JobState.COMPLETED, null, null, null, null, Instant.now(),
                Instant.now());
    }

    /** A baseline and {@code n} search trials with random ratios; every fourth failed, every fifth stopped early. */
    private static List<TrialRecord> trials(int n, boolean timed) {
        SplittableRandom random = new SplittableRandom(42);
        List<TrialRecord> trials = new ArrayList<>();
        trials.add(trial(0, TrialKind.BASELINE, TrialState.EVALUATED, ratios(random, 1.0), timed, 0));
        for (int i = 1; i <= n; i++) {
            TrialState state = i % 4 == 0 ? TrialState.FAILED : i % 5 == 0 ? TrialState.PRUNED : TrialState.EVALUATED;
            trials.add(trial(i, TrialKind.SEARCH, state, ratios(random, 0.0), timed, random.nextDouble()));
        }
        return trials;
    }

    private static Map<String, Object> ratios(SplittableRandom random, double fixed) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (int i = 0; i < LAYERS; i++) {
            config.put("ratio." + i, fixed > 0 ? fixed : 0.25 + 0.75 * random.nextDouble());
        }
        return config;
    }

    private static TrialRecord trial(int number, TrialKind kind, TrialState state, Map<String, Object> config,
            boolean timed, double noise) {
        double fraction = config.values().stream().mapToDouble(v -> (Double) v).average().orElseThrow();
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (state != TrialState.FAILED) {
            metrics.put("accuracy", 0.9 - 0.2 * (1 - fraction) * (1 - fraction) - 0.01 * noise);
            metrics.put("bytes", 4e6 * fraction);
            if (timed && state == TrialState.EVALUATED) {
                metrics.put("latencyMs", 0.2 + 4.8 * fraction + noise);
            }
        }
        Instant at = Instant.now();
        return new TrialRecord("plots-t" + number, "plots", number, kind, state, 1, "w1", List.of("w1#1"), config,
                null, state == TrialState.FAILED ? null : metrics, null, null, at, at, at);
    }
}
