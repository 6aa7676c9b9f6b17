package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.report.JobReport;
import dev.pocketmesh.report.ReportCharts;
import dev.pocketmesh.report.ReportFiles;
import dev.pocketmesh.report.ReportMarkdown;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A job's report under {@code jobs/<job>/} in the artifact store: {@code report.json}, its plots as PNG images,
 * {@code report.md} linking them and {@code report.html} rendered from it (file names in {@link ReportFiles}).
 */
@ApplicationScoped
public class JobReports {
    public static final String JSON = ReportFiles.JSON;
    public static final String MARKDOWN = ReportFiles.MARKDOWN;
    private static final Logger LOG = Logger.getLogger(JobReports.class);

    private final JobStore jobs;
    private final TrialStore trials;
    private final ArtifactStore artifacts;

    public JobReports(JobStore jobs, TrialStore trials, ArtifactStore artifacts) {
        this.jobs = jobs;
        this.trials = trials;
        this.artifacts = artifacts;
    }

    public record Written(JobReport report, URI json, URI markdown) {
    }

    /**
     * Writes the report of the job as it will be once in {@code state} (the report is written before the state
     * changes, so that a client who sees the final state finds the report).
     */
    public Written write(String jobId, JobState state, String message) {
        JobRecord job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("no job " + jobId));
        JobRecord asOf = new JobRecord(job.jobId(), job.name(), state, job.spec(), message, job.errors(),
                job.bestTrialId(), job.createdAt(), Instant.now());
        List<TrialRecord> all = trials.listForJob(jobId);
        JobReport report = JobReport.build(asOf, all, finalSummary(all), jobs.profileMeasurements(jobId));
        String dir = ArtifactStore.jobDirectory(jobId);
        URI json = artifacts.put(dir + "/" + JSON, Json.writePretty(report).getBytes(StandardCharsets.UTF_8));
        Map<ReportFiles.Plot, byte[]> plots = plots(report);
        plots.forEach((plot, png) -> artifacts.put(dir + "/" + plot.file(), png));
        String markdown = ReportMarkdown.render(report, List.copyOf(plots.keySet()));
        URI md = artifacts.put(dir + "/" + MARKDOWN, markdown.getBytes(StandardCharsets.UTF_8));
        artifacts.put(dir + "/" + ReportFiles.HTML, ReportHtml.render("PocketMesh report: " + report.name(), markdown)
                .getBytes(StandardCharsets.UTF_8));
        return new Written(report, json, md);
    }

    /** Plots are a view: a job's report is still written when they cannot be drawn. */
    private static Map<ReportFiles.Plot, byte[]> plots(JobReport report) {
        try {
            return ReportPlots.render(ReportCharts.of(report));
        } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
            LOG.warnf(e, "Could not draw the plots of job %s", report.jobId());
            return Map.of();
        }
    }

    /** The data behind the job's plots as it is now, for the dashboard (the report's are drawn from the same). */
    public ReportCharts charts(String jobId) {
        return ReportCharts.of(current(jobId));
    }

    /** The per-layer parameters of one trial of the job (the dashboard's selected trial), if it has any. */
    public Optional<ReportCharts.Layers> layers(String jobId, String trialId) {
        JobReport report = current(jobId);
        return java.util.stream.Stream.concat(report.trials().stream(),
                java.util.stream.Stream.of(report.baseline(), report.finalModel()))
                .filter(t -> t != null && t.trialId().equals(trialId)).findFirst().map(ReportCharts::layersOf);
    }

    private JobReport current(String jobId) {
        JobRecord job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("no job " + jobId));
        return JobReport.build(job, trials.listForJob(jobId));
    }

    /** The final model's manifest summary (what the worker did to build it), when there is one to read. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> finalSummary(List<TrialRecord> all) {
        for (TrialRecord t : all) {
            if (t.kind() == TrialKind.FINAL && t.artifactUri() != null) {
                try {
                    Map<String, Object> manifest = Json.readMap(new String(artifacts.get(URI.create(t.artifactUri())),
                            StandardCharsets.UTF_8));
                    return manifest.get("summary") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
                } catch (RuntimeException e) {
                    LOG.warnf("Could not read the final manifest of %s: %s", t.jobId(), e.getMessage());
                }
            }
        }
        return null;
    }

    /** Best effort for failed and cancelled jobs: the state change already happened and matters more. */
    public void writeQuietly(String jobId) {
        try {
            jobs.find(jobId).filter(j -> j.spec() != null).ifPresent(j -> write(jobId, j.state(), j.message()));
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not write the report of job %s", jobId);
        }
    }

    /** The stored report file ({@link #JSON} or {@link #MARKDOWN}), if the job has one. */
    public Optional<String> read(String jobId, String file) {
        URI uri = artifacts.uri(ArtifactStore.jobDirectory(jobId) + "/" + file);
        return artifacts.exists(uri) ? Optional.of(new String(artifacts.get(uri), StandardCharsets.UTF_8))
                : Optional.empty();
    }
}
