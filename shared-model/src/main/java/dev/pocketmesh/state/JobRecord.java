package dev.pocketmesh.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.spec.JobSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** A job as stored in Redis. {@code spec} is null for a REJECTED job, whose {@code errors} say why. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(String jobId, String name, JobState state, JobSpec spec, String message,
        List<FieldError> errors, String bestTrialId, Instant createdAt, Instant updatedAt) {

    static JobRecord fromHash(Map<String, String> h) {
        if (h == null || h.isEmpty()) {
            return null;
        }
        String spec = h.get("spec");
        String errors = h.get("errors");
        return new JobRecord(h.get("jobId"), h.get("name"), JobState.valueOf(h.get("state")),
                spec == null || spec.isEmpty() ? null : Json.read(spec, JobSpec.class), h.get("message"),
                errors == null || errors.isEmpty() ? null : Arrays.asList(Json.read(errors, FieldError[].class)),
                emptyToNull(h.get("bestTrialId")), Instant.ofEpochMilli(Long.parseLong(h.get("createdAt"))),
                Instant.ofEpochMilli(Long.parseLong(h.get("updatedAt"))));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
