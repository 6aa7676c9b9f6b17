package dev.pocketmesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything a client may want to follow about a job, on {@code pocketmesh.jobs.events} (key = jobId):
 * state transitions (with the field errors of a rejection), trial updates and progress.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(int schemaVersion, String messageId, String jobId, Instant createdAt, Type type,
        JobState state, String trialId, TrialState trialState, String message, List<FieldError> errors,
        Map<String, Object> data) implements Message {

    public enum Type {
        /** The job moved to {@link #state()}. */
        STATE_CHANGED,
        /** A trial moved to {@link #trialState()}. */
        TRIAL_UPDATED,
        /** A running trial reported progress (epoch, intermediate metrics) in {@link #data()}. */
        TRIAL_PROGRESS
    }

    public static JobEvent stateChanged(String jobId, JobState state, String message, List<FieldError> errors,
            Map<String, Object> data) {
        return new JobEvent(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), Type.STATE_CHANGED, state,
                null, null, message, errors, data);
    }

    public static JobEvent trialUpdated(String jobId, String trialId, TrialState trialState, String message,
            Map<String, Object> data) {
        return new JobEvent(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), Type.TRIAL_UPDATED, null,
                trialId, trialState, message, null, data);
    }

    public static JobEvent trialProgress(String jobId, String trialId, Map<String, Object> data) {
        return new JobEvent(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), Type.TRIAL_PROGRESS, null,
                trialId, TrialState.RUNNING, null, null, data);
    }
}
