package dev.pocketmesh.evaluator.api;

import dev.pocketmesh.evaluator.config.EvaluatorIdentity;
import dev.pocketmesh.evaluator.service.MeasurerRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;

/** {@code GET /api/evaluator}: who this evaluator is, the device pool it serves and the learners it measures. */
@Path("/api/evaluator")
@Produces(MediaType.APPLICATION_JSON)
public class EvaluatorResource {
    private final EvaluatorIdentity identity;
    private final MeasurerRegistry measurers;

    public EvaluatorResource(EvaluatorIdentity identity, MeasurerRegistry measurers) {
        this.identity = identity;
        this.measurers = measurers;
    }

    public record EvaluatorStatus(String evaluatorId, String profile, Set<String> learners,
            java.util.Map<String, Object> settings) {
    }

    @GET
    public EvaluatorStatus status() {
        return new EvaluatorStatus(identity.id(), identity.profile(), measurers.learners(), identity.settings());
    }
}
