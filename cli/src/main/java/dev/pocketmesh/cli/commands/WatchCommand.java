package dev.pocketmesh.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.cli.watch.JobWatcher;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch", description = "Follow a job with a live progress line until it ends; exit 0 if it COMPLETED.")
public final class WatchCommand implements Callable<Integer> {
    @Mixin
    MeshOptions mesh;

    @Parameters(paramLabel = "JOB_ID")
    String jobId;

    @Option(names = "--timeout", defaultValue = "PT24H", description = "Give up after this long (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        JsonNode last = new JobWatcher(mesh.client(), System.out, System.console() != null, Duration.ofMillis(500))
                .watch(jobId, timeout);
        return exitCode(last);
    }

    /** 0 for a COMPLETED job, 1 otherwise (the reason is on the progress line). */
    static int exitCode(JsonNode job) {
        return "COMPLETED".equals(job.path("job").path("state").asText()) ? 0 : 1;
    }
}
