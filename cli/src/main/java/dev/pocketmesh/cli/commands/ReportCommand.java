package dev.pocketmesh.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.cli.client.OrchestratorClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", description = "Print a job's summary, copy its report (JSON, Markdown, HTML, plots) to "
        + "<runs>/<job-id>/ and print the paths. Exit 0 when the job COMPLETED.")
public final class ReportCommand implements Callable<Integer> {
    static final int NO_SUCH_JOB = 2;

    @Mixin
    MeshOptions mesh;

    @Parameters(paramLabel = "JOB_ID")
    String jobId;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Where reports are copied (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Override
    public Integer call() throws IOException {
        OrchestratorClient client = mesh.client();
        JsonNode job = client.job(jobId).orElse(null);
        if (job == null) {
            System.err.println("no job '" + jobId + "' at " + client.baseUrl());
            return NO_SUCH_JOB;
        }
        Path dir = CompressCommand.writeReports(client, jobId, runsDir);
        CompressCommand.printSummary(job, client, jobId, dir);
        return WatchCommand.exitCode(job);
    }
}
