package dev.pocketmesh.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.cli.mesh.MeshState;
import dev.pocketmesh.cli.mesh.ServiceInfo;
import dev.pocketmesh.cli.watch.JobWatcher;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.infra.InfraProcesses;
import dev.pocketmesh.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = "Show the local mesh and recent jobs, or one job in detail.")
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    MeshOptions mesh;

    @Parameters(paramLabel = "JOB_ID", arity = "0..1")
    String jobId;

    @Override
    public Integer call() {
        if (jobId != null) {
            JsonNode doc = mesh.client().job(jobId)
                    .orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
            JsonNode job = doc.path("job");
            Instant created = Instant.parse(job.path("createdAt").asText());
            // A finished job's duration ends when it finished, not now.
            Instant end = JobState.valueOf(job.path("state").asText()).isTerminal()
                    ? Instant.parse(job.path("updatedAt").asText()) : Instant.now();
            System.out.println(JobWatcher.render(doc, Duration.between(created, end)));
            System.out.println(Json.writePretty(doc));
            return 0;
        }
        MeshState state = MeshState.read(mesh.home()).orElse(null);
        if (state == null) {
            System.out.println("no local mesh under " + mesh.home());
            if (mesh.url == null) {
                return 0;
            }
        } else {
            System.out.printf("%-13s %-6s %s%n", "redis", alive(state.redisPid()), state.redisUrl());
            System.out.printf("%-13s %-6s %s%n", "kafka", alive(state.kafkaPid()), state.kafkaBootstrap());
            for (ServiceInfo s : state.services()) {
                System.out.printf("%-13s %-6s %s%n", s.name(), alive(s.pid()), s.url());
            }
        }
        JsonNode jobs = mesh.client().jobs(20);
        System.out.println();
        System.out.printf("%-16s %-11s %-24s %s%n", "JOB", "STATE", "NAME", "UPDATED");
        for (JsonNode j : jobs) {
            System.out.printf("%-16s %-11s %-24s %s%n", j.path("jobId").asText(), j.path("state").asText(),
                    j.path("name").asText(), j.path("updatedAt").asText());
        }
        return 0;
    }

    private static String alive(long pid) {
        return InfraProcesses.isAlive(pid) ? "up" : "DOWN";
    }
}
