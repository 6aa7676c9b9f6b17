package dev.pocketmesh.report;

import java.util.List;

/**
 * The files of a job's report, side by side under {@code jobs/<job>/} in the artifact store and under
 * {@code runs/<job>/} where the CLI copies them; {@code report.md} and {@code report.html} link the plots by these
 * relative names, so the copies read the same wherever they are.
 */
public final class ReportFiles {
    public static final String JSON = "report.json";
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";

    /** A PNG plot of the report: its file name and the title it is shown under. */
    public record Plot(String file, String title) {
    }

    public static final Plot SCATTER = new Plot("plot-accuracy-vs-cost.png", "Accuracy vs cost, Pareto front");
    public static final Plot BEST_SO_FAR = new Plot("plot-best-so-far.png", "Best objective so far");
    public static final Plot LAYERS = new Plot("plot-layers.png", "Per-layer parameters of the best trial");

    public static final List<Plot> PLOTS = List.of(SCATTER, BEST_SO_FAR, LAYERS);

    /** Every file a report may have (a plot is left out when there is nothing to draw). */
    public static final List<String> ALL = List.of(JSON, MARKDOWN, HTML, SCATTER.file(), BEST_SO_FAR.file(),
            LAYERS.file());

    private ReportFiles() {
    }
}
