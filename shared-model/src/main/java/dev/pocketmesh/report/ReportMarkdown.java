package dev.pocketmesh.report;

import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Renders a {@link JobReport} as {@code report.md}. */
public final class ReportMarkdown {
    private ReportMarkdown() {
    }

    /** The front as a table, the pick marked, and a chart of accuracy against cost. */
    private static void appendPareto(StringBuilder md, dev.pocketmesh.search.ParetoChoice.Choice p) {
        md.append("\n## Pareto front: accuracy vs ").append(p.cost()).append("\n\n");
        md.append("Picked trial ").append(p.picked().number()).append(" (`").append(p.pick()).append("`): ")
                .append(p.reason()).append(".\n\n| # | trial | accuracy | ").append(p.cost()).append(" | |\n")
                .append("|---:|---|---:|---:|---|\n");
        for (var m : p.front()) {
            md.append("| ").append(m.number()).append(" | ").append(m.trialId()).append(" | ")
                    .append(num(m.accuracy())).append(" | ").append(num(m.cost())).append(" | ")
                    .append(m.equals(p.picked()) ? "**picked**" : "").append(" |\n");
        }
        md.append("\n```\n").append(ParetoChart.render(p)).append("```\n");
    }

    /** What the worker did to build the final model; a pipeline's stages one section each. */
    private static void appendFinalSummary(StringBuilder md, Map<String, Object> summary) {
        md.append("\n## How the final model was built\n\n");
        if (summary.get("stages") instanceof java.util.List<?> stages) {
            int i = 1;
            for (Object stage : stages) {
                if (stage instanceof Map<?, ?> s) {
                    md.append("### Stage ").append(i++).append(": ").append(s.get("learner")).append("\n\n");
                    appendEntries(md, s);
                }
            }
        } else {
            appendEntries(md, summary);
        }
    }

    private static void appendEntries(StringBuilder md, Map<?, ?> entries) {
        md.append("| | |\n|---|---|\n");
        entries.forEach((k, v) -> {
            if (!"learner".equals(k)) {
                md.append("| ").append(k).append(" | ").append(v instanceof Double d ? num(d) : String.valueOf(v))
                        .append(" |\n");
            }
        });
        md.append('\n');
    }

    public static String render(JobReport r) {
        return render(r, java.util.List.of());
    }

    /** @param plots the report's plots that were drawn, linked by their file names (they lie next to report.md) */
    public static String render(JobReport r, java.util.List<ReportFiles.Plot> plots) {
        StringBuilder md = new StringBuilder();
        md.append("# PocketMesh report: ").append(r.name()).append(" (").append(r.jobId()).append(")\n\n");
        md.append("- Status: **").append(r.status()).append("**");
        if (r.message() != null && !r.message().isEmpty()) {
            md.append(" — ").append(r.message());
        }
        md.append("\n- Learner: `").append(r.learner()).append("`, optimizer: `").append(r.optimizer())
                .append("`, target: ").append(r.target()).append('\n');
        if (r.deviceProfile() != null) {
            md.append("- Measured on device profile `").append(r.deviceProfile()).append("`\n");
        }
        md.append("- Search trials: ").append(r.counts().total()).append(" (evaluated ")
                .append(r.counts().evaluated()).append(", failed ").append(r.counts().failed()).append(", pruned ")
                .append(r.counts().pruned()).append(", unfinished ").append(r.counts().unfinished()).append(")\n");
        if (r.bestTrialId() != null) {
            md.append("- Best search trial: `").append(r.bestTrialId()).append("`\n");
        }
        if (r.finalModel() != null && r.finalModel().artifactUri() != null) {
            String manifest = r.finalModel().artifactUri();
            md.append("- Final model: `").append(manifest.substring(0, manifest.lastIndexOf('/') + 1))
                    .append("` (its manifest and model files)\n");
        }
        md.append("\n## Baseline vs final\n\n");
        if (r.baseline() != null && r.finalModel() != null) {
            TreeSet<String> names = new TreeSet<>();
            if (r.baseline().metrics() != null) {
                names.addAll(r.baseline().metrics().keySet());
            }
            if (r.finalModel().metrics() != null) {
                names.addAll(r.finalModel().metrics().keySet());
            }
            md.append("| metric | baseline | final |\n|---|---:|---:|\n");
            for (String n : names) {
                md.append("| ").append(n).append(" | ").append(fmt(r.baseline().metrics(), n)).append(" | ")
                        .append(fmt(r.finalModel().metrics(), n)).append(" |\n");
            }
            md.append("\n| ratio | value |\n|---|---:|\n");
            r.ratios().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(num(v)).append(" |\n"));
        } else {
            md.append("(no final model)\n");
        }
        md.append(ProfileMeasurement.markdown(r.profiles()));
        if (!plots.isEmpty()) {
            md.append("\n## Plots\n\n");
            for (ReportFiles.Plot plot : plots) {
                md.append("![").append(plot.title()).append("](").append(plot.file()).append(")\n\n");
            }
        }
        if (r.pareto() != null) {
            appendPareto(md, r.pareto());
        }
        if (r.finalSummary() != null) {
            appendFinalSummary(md, r.finalSummary());
        }
        // Latency model: the estimate the trial was proposed with (screened against a latency target), its error
        // against latencyMs, and the evaluator's estimate of the trained candidate.
        md.append("\n## Trials\n\n| # | trial | state | attempts | accuracy | flopsRatio | latencyMs | estimated ms "
                + "at proposal | estimate error % | estimated ms (evaluator) | ms |\n")
                .append("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JobReport.TrialSummary t : r.trials()) {
            md.append("| ").append(t.number()).append(" | ").append(t.trialId()).append(" | ").append(t.state())
                    .append(" | ").append(t.attempts() == null ? "" : String.join(", ", t.attempts())).append(" | ")
                    .append(fmt(t.metrics(), "accuracy")).append(" | ").append(fmt(t.metrics(), "flopsRatio"))
                    .append(" | ").append(fmt(t.metrics(), "latencyMs")).append(" | ")
                    .append(fmt(t.metrics(), JobReport.PROPOSAL_ESTIMATE)).append(" | ")
                    .append(fmt(t.metrics(), JobReport.PROPOSAL_ERROR)).append(" | ")
                    .append(fmt(t.metrics(), "estimatedLatencyMs")).append(" | ")
                    .append(t.durationMs() == null ? "" : t.durationMs()).append(" |\n");
        }
        if (r.latencyEstimate() != null) {
            md.append("\nLatency model at proposal time: median absolute estimate error ")
                    .append(String.format(Locale.ROOT, "%.1f", r.latencyEstimate().medianAbsErrorPct()))
                    .append(" % over ").append(r.latencyEstimate().trials())
                    .append(" trials (estimate before training vs measured latencyMs).\n");
        }
        return md.toString();
    }

    private static String fmt(Map<String, Double> metrics, String name) {
        if (metrics == null || metrics.get(name) == null) {
            return "";
        }
        return num(metrics.get(name));
    }

    private static String num(double v) {
        if (Math.abs(v) >= 1000 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
