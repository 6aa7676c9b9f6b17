package dev.pocketmesh.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.orchestrator.service.JobEventBroadcaster;
import dev.pocketmesh.orchestrator.service.JobIntake;
import dev.pocketmesh.orchestrator.service.JobLifecycle;
import dev.pocketmesh.orchestrator.service.JobProgress;
import dev.pocketmesh.orchestrator.service.JobReports;
import dev.pocketmesh.spec.JobSpecException;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jobs over HTTP: submit (JSON or YAML spec, or a {@code JobSubmission} envelope), list, inspect with progress,
 * trials, cancel, follow as server-sent events, and the final report. Bodies are written with the mesh's one
 * JSON codec, so REST clients see exactly what Kafka consumers see.
 */
@Path("/api/jobs")
public class JobResource {
    static final String YAML = "application/yaml";
    static final int MAX_LIST = 1000;

    private final JobIntake intake;
    private final JobLifecycle lifecycle;
    private final JobStore jobs;
    private final TrialStore trials;
    private final JobReports reports;
    private final dev.pocketmesh.orchestrator.service.LiveEpochs liveEpochs;
    private final JobEventBroadcaster broadcaster;
    private final ArtifactStore artifacts;

    public JobResource(JobIntake intake, JobLifecycle lifecycle, JobStore jobs, TrialStore trials, JobReports reports,
            JobEventBroadcaster broadcaster, dev.pocketmesh.orchestrator.service.LiveEpochs liveEpochs,
            ArtifactStore artifacts) {
        this.artifacts = artifacts;
        this.liveEpochs = liveEpochs;
        this.intake = intake;
        this.lifecycle = lifecycle;
        this.jobs = jobs;
        this.trials = trials;
        this.reports = reports;
        this.broadcaster = broadcaster;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, YAML, "text/yaml", "application/x-yaml", MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
    public Response submit(String body, @QueryParam("jobId") String jobId, @Context UriInfo uri) {
        JsonNode doc;
        try {
            // YAML is a superset of JSON: one parser for every accepted content type.
            doc = JobSpecParser.readTree(body == null ? "" : body);
        } catch (JobSpecException e) {
            return invalid(e.errors());
        }
        JobIntake.Submission submission = intake.read(doc, jobId, null);
        if (!submission.valid()) {
            return invalid(submission.errors());
        }
        JobLifecycle.Accepted accepted = lifecycle.accept(submission.jobId(), submission.spec());
        if (!accepted.created()) {
            return json(Response.Status.CONFLICT, Map.of("errors", List.of(new FieldError("jobId",
                    "job '" + accepted.jobId() + "' exists already (" + accepted.state() + ")"))));
        }
        Map<String, Object> body202 = new LinkedHashMap<>();
        body202.put("jobId", accepted.jobId());
        body202.put("state", accepted.state());
        return Response.accepted(Json.write(body202)).type(MediaType.APPLICATION_JSON)
                .location(uri.getBaseUriBuilder().path("api/jobs").path(accepted.jobId()).build()).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String list(@QueryParam("limit") @DefaultValue("50") int limit) {
        return Json.write(jobs.list(Math.max(1, Math.min(limit, MAX_LIST))));
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public String get(@PathParam("id") String id) {
        JobRecord job = find(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job", job);
        body.put("progress", JobProgress.of(job, trials.listForJob(id), liveEpochs));
        return Json.write(body);
    }

    @GET
    @Path("{id}/trials")
    @Produces(MediaType.APPLICATION_JSON)
    public String trials(@PathParam("id") String id) {
        find(id);
        List<TrialRecord> list = trials.listForJob(id);
        return Json.write(list);
    }

    @DELETE
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@PathParam("id") String id) {
        return switch (lifecycle.cancel(id)) {
            case CANCELLED -> json(Response.Status.ACCEPTED, Map.of("jobId", id, "state", "CANCELLED"));
            case NOT_FOUND -> notFound(id);
            case ALREADY_TERMINAL -> json(Response.Status.CONFLICT, Map.of("errors", List.of(new FieldError("jobId",
                    "job '" + id + "' has already finished (" + jobs.find(id).map(JobRecord::state).orElse(null)
                            + ")"))));
        };
    }

    /** The job's stored history, then its live events; the stream ends after the job's terminal state. */
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking // reads Redis before the stream starts
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        find(id);
        return JobEventStream.open(id, broadcaster, jobs::events, sse);
    }

    @GET
    @Path("{id}/report")
    @Produces({MediaType.APPLICATION_JSON, "text/markdown"})
    public Response report(@PathParam("id") String id, @QueryParam("format") @DefaultValue("json") String format) {
        find(id);
        boolean markdown = "md".equalsIgnoreCase(format) || "markdown".equalsIgnoreCase(format);
        if (!markdown && !"json".equalsIgnoreCase(format)) {
            return json(Response.Status.BAD_REQUEST, Map.of("errors", List.of(new FieldError("format",
                    "one of json, md (got '" + format + "')"))));
        }
        return reports.read(id, markdown ? JobReports.MARKDOWN : JobReports.JSON)
                .map(text -> Response.ok(text, markdown ? "text/markdown; charset=utf-8" : MediaType.APPLICATION_JSON)
                        .build())
                .orElseGet(() -> json(Response.Status.NOT_FOUND, Map.of("errors", List.of(new FieldError("report",
                        "job '" + id + "' has no report yet (" + jobs.find(id).map(JobRecord::state).orElse(null)
                                + ")")))));
    }

    /** The data behind the job's plots (scatter with Pareto front and baseline, best-so-far, per-layer values). */
    @GET
    @Path("{id}/charts")
    @Produces(MediaType.APPLICATION_JSON)
    public String charts(@PathParam("id") String id) {
        find(id);
        return Json.write(reports.charts(id));
    }

    /** Every epoch report of the job's trials so far (trial, attempt, epoch, metrics), for the accuracy curves. */
    @GET
    @Path("{id}/epochs")
    @Produces(MediaType.APPLICATION_JSON)
    public String epochs(@PathParam("id") String id) {
        find(id);
        return Json.write(jobs.epochs(id));
    }

    /** The per-layer parameters (preserve ratios, bit widths, sparsities) of one of the job's trials. */
    @GET
    @Path("{id}/trials/{trialId}/layers")
    @Produces(MediaType.APPLICATION_JSON)
    public Response layers(@PathParam("id") String id, @PathParam("trialId") String trialId) {
        find(id);
        return reports.layers(id, trialId).map(layers -> Response.ok(Json.write(layers), MediaType.APPLICATION_JSON)
                .build()).orElseGet(() -> json(Response.Status.NOT_FOUND, Map.of("errors", List.of(new FieldError(
                        "trialId", "job '" + id + "' has no trial '" + trialId + "' with per-layer parameters")))));
    }

    /** The job's files in the artifact store (report, plots, baseline/trial/final models), relative to its directory. */
    @GET
    @Path("{id}/files")
    @Produces(MediaType.APPLICATION_JSON)
    public String files(@PathParam("id") String id) {
        find(id);
        return Json.write(artifacts.list(ArtifactStore.jobDirectory(id)));
    }

    /** One file of the job, e.g. {@code report.html} or {@code final/attempt-1/model.onnx}; never outside its directory. */
    @GET
    @Path("{id}/files/{path: .+}")
    public Response file(@PathParam("id") String id, @PathParam("path") String path) {
        find(id);
        java.util.Optional<String> relative = JobFiles.confine(path);
        if (relative.isEmpty()) {
            return json(Response.Status.BAD_REQUEST, Map.of("errors", List.of(new FieldError("path",
                    "must be a relative path inside the job's directory (got '" + path + "')"))));
        }
        // Only what the listing shows is served: files, inside the job's directory.
        if (!artifacts.list(ArtifactStore.jobDirectory(id)).contains(relative.get())) {
            return json(Response.Status.NOT_FOUND, Map.of("errors", List.of(new FieldError("path",
                    "job '" + id + "' has no file '" + relative.get() + "'"))));
        }
        byte[] bytes = artifacts.get(artifacts.uri(ArtifactStore.jobDirectory(id) + "/" + relative.get()));
        return Response.ok(bytes, JobFiles.mediaType(relative.get())).build();
    }

    private JobRecord find(String id) {
        return jobs.find(id).orElseThrow(() -> new NotFoundException(notFound(id)));
    }

    private static Response invalid(List<FieldError> errors) {
        return json(Response.Status.BAD_REQUEST, Map.of("errors", errors));
    }

    private static Response notFound(String id) {
        return json(Response.Status.NOT_FOUND, Map.of("errors", List.of(new FieldError("jobId",
                "no job '" + id + "'"))));
    }

    private static Response json(Response.Status status, Object body) {
        return Response.status(status).entity(Json.write(body)).type(MediaType.APPLICATION_JSON).build();
    }
}
