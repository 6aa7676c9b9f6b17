package dev.pocketmesh.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.cli.client.OrchestratorClient;
import dev.pocketmesh.cli.mesh.LocalMesh;
import dev.pocketmesh.cli.mesh.MeshState;
import dev.pocketmesh.cli.watch.JobWatcher;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.report.ReportFiles;
import dev.pocketmesh.spec.JobSpecException;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compress", description = "Run a job start to finish: bring the mesh up if needed, submit, watch, "
        + "and write runs/<job-id>/report.{json,md,html} with its plots. Exit 0 when the job COMPLETED.")
public final class CompressCommand implements Callable<Integer> {
    @Mixin
    MeshOptions mesh;

    @Parameters(paramLabel = "JOB", description = "Job file (YAML or JSON).")
    Path jobFile;

    @Option(names = "--workers", defaultValue = "2", description = "Trial workers if the mesh must be started (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--keep-up", description = "Leave a mesh this command started running afterwards.")
    boolean keepUp;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Where reports are written (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--timeout", defaultValue = "PT24H", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws IOException {
        // Refuse a broken job file before starting anything: the same validation the orchestrator runs.
        String jobText = Files.readString(jobFile);
        try {
            new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), JobSpecValidator::localPathExists))
                    .parse(jobText);
        } catch (JobSpecException e) {
            System.err.println("job " + jobFile + " refused:");
            for (FieldError error : e.errors()) {
                System.err.println("  " + error.field() + ": " + error.reason());
            }
            return SubmitCommand.INVALID_JOB;
        }

        LocalMesh started = null;
        OrchestratorClient client;
        if (mesh.url != null || MeshState.read(mesh.home()).filter(MeshState::isAlive).isPresent()) {
            client = mesh.client();
        } else {
            System.out.println("starting the mesh under " + mesh.home() + " ...");
            started = LocalMesh.start(LocalMesh.Options.defaults(mesh.home(), workers).keepRunning(keepUp),
                    line -> System.out.println("  " + line));
            client = new OrchestratorClient(started.orchestratorUrl());
        }
        try {
            OrchestratorClient.Submitted submitted = client.submit(jobText, null);
            if (!submitted.accepted()) {
                SubmitCommand.printErrors(jobFile, submitted);
                return SubmitCommand.INVALID_JOB;
            }
            String jobId = submitted.jobId();
            System.out.println("job " + jobId + " submitted");
            JsonNode last = new JobWatcher(client, System.out, System.console() != null, Duration.ofMillis(500))
                    .watch(jobId, timeout);
            Path dir = writeReports(client, jobId, runsDir);
            printSummary(last, client, jobId, dir);
            return WatchCommand.exitCode(last);
        } finally {
            if (started != null && !keepUp) {
                System.out.println("stopping the mesh ...");
                started.close();
            }
        }
    }

    /**
     * Copies the job's report as the orchestrator wrote it ({@link ReportFiles#ALL}: report.json, report.md,
     * report.html and the plots they link) to {@code <runs>/<job-id>/}.
     */
    static Path writeReports(OrchestratorClient client, String jobId, Path runsDir) throws IOException {
        Path dir = runsDir.resolve(jobId);
        Files.createDirectories(dir);
        boolean any = false;
        for (String file : ReportFiles.ALL) {
            java.util.Optional<byte[]> bytes = client.file(jobId, file);
            if (bytes.isPresent()) {
                Files.write(dir.resolve(file), bytes.get());
                any = true;
            }
        }
        if (!any) {
            // A job that never got a report (refused before it had a spec): keep what is known about it.
            Files.writeString(dir.resolve(ReportFiles.JSON), Json.writePretty(Map.of(
                    "job", client.job(jobId).orElseThrow(), "trials", client.trials(jobId))));
        }
        return dir;
    }

    /** The job's outcome, its ratios, and where its report files are (shared with {@code report}). */
    static void printSummary(JsonNode last, OrchestratorClient client, String jobId, Path dir) {
        String state = last.path("job").path("state").asText();
        System.out.println("job " + jobId + " " + state
                + (last.path("job").hasNonNull("message") ? ": " + last.path("job").path("message").asText() : ""));
        client.report(jobId, false).map(Json::tree).ifPresent(report -> {
            JsonNode baseline = report.path("baseline").path("metrics");
            JsonNode fin = report.path("final").path("metrics");
            // The test split when the learner measured one (real models), else the search's validation accuracy.
            String metric = baseline.has("testAccuracy") && fin.has("testAccuracy") ? "testAccuracy" : "accuracy";
            System.out.printf(Locale.ROOT, "  %-12s baseline %.4f  final %.4f%n", metric, baseline.path(metric).asDouble(),
                    fin.path(metric).asDouble());
            if (fin.has("latencyMs")) {
                System.out.printf(Locale.ROOT, "  latency ms   baseline %.3f  final %.3f (batch 1, timed in one run)%n",
                        fin.path("baselineLatencyMs").asDouble(baseline.path("latencyMs").asDouble()),
                        fin.path("latencyMs").asDouble());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = report.path("ratios").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> r = it.next();
                System.out.printf(Locale.ROOT, "  %-22s %.3f%n", r.getKey(), r.getValue().asDouble());
            }
        });
        System.out.println("report:");
        for (String file : ReportFiles.ALL) {
            if (Files.exists(dir.resolve(file))) {
                System.out.println("  " + dir.resolve(file));
            }
        }
    }
}
