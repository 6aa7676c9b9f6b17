package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.report.ReportCharts;
import dev.pocketmesh.report.ReportFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A report's plots as PNG images, drawn on the server with JFreeChart from {@link ReportCharts} (the same data the
 * dashboard draws), so that {@code report.md} and {@code report.html} stand on their own when mailed or attached.
 */
public final class ReportPlots {
    static final int WIDTH = 800;
    static final int HEIGHT = 500;
    private static final Color TRIALS = new Color(0x4C, 0x78, 0xA8);
    private static final Color FRONT = new Color(0xE4, 0x57, 0x56);
    private static final Color BASELINE = new Color(0x54, 0xA2, 0x4B);

    private ReportPlots() {
    }

    /** Series names of the scatter plot, in the order they are added (tests read the data back by them). */
    public static final String SERIES_TRIALS = "trials";
    public static final String SERIES_FRONT = "Pareto front";
    public static final String SERIES_BASELINE = "baseline";

    /** The plots there is something to draw for, in {@link ReportFiles#PLOTS} order, as PNG bytes. */
    public static Map<ReportFiles.Plot, byte[]> render(ReportCharts charts) {
        Map<ReportFiles.Plot, byte[]> pngs = new LinkedHashMap<>();
        charts(charts).forEach((plot, chart) -> pngs.put(plot, png(chart)));
        return pngs;
    }

    /** The charts before encoding: what {@link #render} draws, open to inspection. */
    static Map<ReportFiles.Plot, JFreeChart> charts(ReportCharts charts) {
        Map<ReportFiles.Plot, JFreeChart> out = new LinkedHashMap<>();
        if (charts.scatter() != null && !charts.scatter().trials().isEmpty()) {
            out.put(ReportFiles.SCATTER, scatter(charts.scatter()));
        }
        if (!charts.bestSoFar().isEmpty()) {
            out.put(ReportFiles.BEST_SO_FAR, bestSoFar(charts));
        }
        if (charts.layers() != null) {
            out.put(ReportFiles.LAYERS, layers(charts.layers()));
        }
        return out;
    }

    private static JFreeChart scatter(ReportCharts.Scatter s) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series(SERIES_TRIALS, s.trials()));
        data.addSeries(series(SERIES_FRONT, s.front()));
        XYSeries baseline = new XYSeries(SERIES_BASELINE);
        if (s.baseline() != null) {
            baseline.add(s.baseline().x(), s.baseline().y());
        }
        data.addSeries(baseline);
        JFreeChart chart = ChartFactory.createScatterPlot(ReportFiles.SCATTER.title(), s.cost(), "accuracy", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        r.setSeriesPaint(0, TRIALS);
        r.setSeriesShape(0, new Ellipse2D.Double(-4, -4, 8, 8));
        // The front is the trials' own points joined cheapest first: a line over larger markers.
        r.setSeriesPaint(1, FRONT);
        r.setSeriesLinesVisible(1, true);
        r.setSeriesStroke(1, new BasicStroke(2f));
        r.setSeriesShape(1, new Ellipse2D.Double(-6, -6, 12, 12));
        r.setSeriesShapesFilled(1, false);
        r.setSeriesPaint(2, BASELINE);
        r.setSeriesShape(2, new Rectangle2D.Double(-6, -6, 12, 12));
        plot.setRenderer(r);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        ((org.jfree.chart.axis.NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        return styled(chart);
    }

    private static JFreeChart bestSoFar(ReportCharts charts) {
        XYSeriesCollection data = new XYSeriesCollection(series("best so far", charts.bestSoFar()));
        JFreeChart chart = ChartFactory.createXYLineChart(ReportFiles.BEST_SO_FAR.title(), "trial number",
                "objective (accuracy, targets met)", data, PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, TRIALS);
        r.setSeriesStroke(0, new BasicStroke(2f));
        plot.setRenderer(r);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return styled(chart);
    }

    private static JFreeChart layers(ReportCharts.Layers layers) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (ReportCharts.LayerValue v : layers.values()) {
            data.addValue(v.value(), v.parameter(), v.layer());
        }
        JFreeChart chart = ChartFactory.createBarChart(ReportFiles.LAYERS.title() + " (trial " + layers.number()
                + ")", "layer", "value", data, PlotOrientation.VERTICAL, true, false, false);
        chart.getCategoryPlot().getRenderer().setSeriesPaint(0, TRIALS);
        return styled(chart);
    }

    private static XYSeries series(String name, java.util.List<ReportCharts.Point> points) {
        // Duplicates allowed: two trials may land on the same point, and each is drawn.
        XYSeries series = new XYSeries(name, false, true);
        points.forEach(p -> series.add(p.x(), p.y()));
        return series;
    }

    private static JFreeChart styled(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static byte[] png(JFreeChart chart) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a report plot", e);
        }
    }
}
