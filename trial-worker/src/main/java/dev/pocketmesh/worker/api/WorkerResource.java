package dev.pocketmesh.worker.api;

import dev.pocketmesh.worker.service.LearnerRegistry;
import dev.pocketmesh.worker.service.TrialRunner;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;

/** {@code GET /api/worker}: who this worker is, what it can run, what it runs now, and its counters. */
@Path("/api/worker")
@Produces(MediaType.APPLICATION_JSON)
public class WorkerResource {
    private final TrialRunner runner;
    private final LearnerRegistry learners;

    public WorkerResource(TrialRunner runner, LearnerRegistry learners) {
        this.runner = runner;
        this.learners = learners;
    }

    public record WorkerStatus(String workerId, Set<String> learners, TrialRunner.RunningTrial currentTrial,
            TrialRunner.Stats stats) {
    }

    @GET
    public WorkerStatus status() {
        return new WorkerStatus(runner.workerId(), learners.names(), runner.current().orElse(null), runner.stats());
    }
}
