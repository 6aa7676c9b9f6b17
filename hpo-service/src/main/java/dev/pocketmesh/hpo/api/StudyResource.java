package dev.pocketmesh.hpo.api;

import dev.pocketmesh.hpo.service.StudyService;
import dev.pocketmesh.json.Json;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Read-only view of studies. Written with the mesh's JSON codec so REST and Redis agree on every field. */
@Path("/api/studies")
@Produces(MediaType.APPLICATION_JSON)
public class StudyResource {
    private final StudyService service;

    public StudyResource(StudyService service) {
        this.service = service;
    }

    /** The study record, every observation in telling order, and the best observation (404 if there is no study). */
    @GET
    @Path("/{jobId}")
    public Response get(@PathParam("jobId") String jobId) {
        return service.view(jobId)
                .map(view -> Response.ok(Json.write(view)))
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity(Json.write(Map.of("error", "no study for job " + jobId))))
                .type(MediaType.APPLICATION_JSON)
                .build();
    }
}
