package dev.pocketmesh.cli.commands;

import dev.pocketmesh.cli.client.OrchestratorClient;
import dev.pocketmesh.contracts.FieldError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit", description = "Submit a job file (YAML or JSON) and print its id.")
public final class SubmitCommand implements Callable<Integer> {
    /** Exit code of a job refused by validation. */
    static final int INVALID_JOB = 2;

    @Mixin
    MeshOptions mesh;

    @Parameters(paramLabel = "JOB", description = "Job file.")
    Path jobFile;

    @Option(names = "--job-id", description = "Choose the job id (default: generated).")
    String jobId;

    @Override
    public Integer call() throws IOException {
        OrchestratorClient.Submitted submitted = mesh.client().submit(Files.readString(jobFile), jobId);
        if (!submitted.accepted()) {
            printErrors(jobFile, submitted);
            return INVALID_JOB;
        }
        System.out.println(submitted.jobId());
        return 0;
    }

    static void printErrors(Path jobFile, OrchestratorClient.Submitted submitted) {
        System.err.println("job " + jobFile + " refused:");
        for (FieldError e : submitted.errors()) {
            System.err.println("  " + e.field() + ": " + e.reason());
        }
    }
}
