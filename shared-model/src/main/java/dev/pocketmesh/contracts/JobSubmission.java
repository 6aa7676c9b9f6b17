package dev.pocketmesh.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A request to run a job, as produced to {@code pocketmesh.jobs.submit} (key = jobId) or posted to
 * {@code POST /api/jobs}. Only {@code spec} is required: {@code jobId} and {@code messageId} are generated
 * when absent. The spec stays a JSON tree here so that validation can name every bad field itself.
 */
public record JobSubmission(int schemaVersion, String messageId, String jobId, Instant createdAt, JsonNode spec)
        implements Message {
}
