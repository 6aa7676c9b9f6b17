package dev.pocketmesh.hpo.api;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.hpo.service.AskTellRequests;
import dev.pocketmesh.hpo.service.AskTellService;
import dev.pocketmesh.hpo.service.AskTellStudy;
import dev.pocketmesh.hpo.service.AskTellTrial;
import dev.pocketmesh.hpo.service.StudyService;
import dev.pocketmesh.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@code /api/studies}: the ask/tell API (create, ask, tell, view) and, for ids that are not ask/tell studies, the
 * read-only view of a job's study. One resource class for the path, so routing never depends on how two classes
 * with the same root would be merged. Bodies are read as text and parsed by {@link AskTellRequests}, and written
 * with the mesh's JSON codec, so every refusal is {@code {"errors":[{"field","reason"}]}} and never a stack trace.
 */
@Path("/api/studies")
@Produces(MediaType.APPLICATION_JSON)
public class AskTellResource {
    private static final Logger LOG = Logger.getLogger(AskTellResource.class);

    private final AskTellService askTell;
    private final StudyService jobStudies;

    public AskTellResource(AskTellService askTell, StudyService jobStudies) {
        this.askTell = askTell;
        this.jobStudies = jobStudies;
    }

    /** Creates an ask/tell study → 201 {@code {"id"}}; nothing is stored when the request is refused. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(String body) {
        return handle(() -> {
            AskTellStudy study = askTell.create(AskTellRequests.create(body));
            return Response.created(URI.create("/api/studies/" + study.id()))
                    .entity(Json.write(Map.of("id", study.id())));
        });
    }

    /** Asks n trials (query {@code n} or body {@code {"n"}}, default 1, at most 100). */
    @POST
    @Path("/{id}/ask")
    @Consumes(MediaType.WILDCARD)
    public Response ask(@PathParam("id") String id, @QueryParam("n") String n, String body) {
        return handle(() -> {
            // 404 before 400: an unknown study is the more basic error.
            if (askTell.find(id).isEmpty()) {
                throw new AskTellService.UnknownStudy(id);
            }
            List<AskTellTrial> trials = askTell.ask(id, AskTellRequests.askCount(n, body));
            List<Map<String, Object>> shown = trials.stream()
                    .map(t -> Map.<String, Object>of("number", t.number(), "params", t.params())).toList();
            return Response.ok(Json.write(Map.of("trials", shown)));
        });
    }

    /** Tells one trial's outcome; 400 naming the field for an unknown or already told trial or bad values. */
    @POST
    @Path("/{id}/tell")
    @Consumes(MediaType.WILDCARD)
    public Response tell(@PathParam("id") String id, String body) {
        return handle(() -> {
            AskTellTrial told = askTell.tell(id, body);
            return Response.ok(Json.write(Map.of("number", told.number(), "state", told.state())));
        });
    }

    /** An ask/tell study with its trials and best trial / Pareto front; otherwise the job study of that id. */
    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return handle(() -> askTell.view(id)
                .map(view -> Response.ok(Json.write(view)))
                .orElseGet(() -> jobStudies.view(id)
                        .map(view -> Response.ok(Json.write(view)))
                        .orElseThrow(() -> new AskTellService.UnknownStudy(id))));
    }

    private static Response handle(Supplier<Response.ResponseBuilder> action) {
        Response.ResponseBuilder response;
        try {
            response = action.get();
        } catch (AskTellRequests.Invalid e) {
            response = Response.status(Response.Status.BAD_REQUEST).entity(Json.write(Map.of("errors", e.errors())));
        } catch (AskTellService.UnknownStudy e) {
            response = Response.status(Response.Status.NOT_FOUND).entity(Json.write(Map.of("errors",
                    List.of(new FieldError("id", e.getMessage())))));
        } catch (RuntimeException e) {
            // Logged here with its trace; the client gets a reason, never the trace.
            LOG.error("ask/tell request failed", e);
            response = Response.serverError().entity(Json.write(Map.of("errors",
                    List.of(new FieldError("(server)", String.valueOf(e.getMessage()))))));
        }
        return response.type(MediaType.APPLICATION_JSON).build();
    }
}
