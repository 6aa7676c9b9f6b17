package dev.pocketmesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.spec.JobSpec;
import java.time.Instant;

/**
 * Orchestrator → hpo-service on {@code pocketmesh.studies} (key = jobId): open the job's study once the
 * baseline is measured, or cancel it. The study reads its space, optimiser and budget from the spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StudyCommand(int schemaVersion, String messageId, String jobId, Instant createdAt, Action action,
        JobSpec spec, java.util.Map<String, Double> baselineMetrics) implements Message {

    public enum Action {
        START, CANCEL
    }

    public static StudyCommand start(String jobId, JobSpec spec, java.util.Map<String, Double> baselineMetrics) {
        return new StudyCommand(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), Action.START, spec,
                baselineMetrics);
    }

    public static StudyCommand cancel(String jobId) {
        return new StudyCommand(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), Action.CANCEL, null, null);
    }
}
