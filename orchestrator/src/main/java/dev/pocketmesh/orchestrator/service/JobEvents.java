package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.orchestrator.messaging.MeshPublisher;
import dev.pocketmesh.state.JobStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Job state changes and their events, in one place: every transition is the store's compare-and-set, then the
 * event appended to the job's history (what a late SSE subscriber replays), then published on the events topic.
 */
@ApplicationScoped
public class JobEvents {
    private final JobStore jobs;
    private final MeshPublisher publisher;

    public JobEvents(JobStore jobs, MeshPublisher publisher) {
        this.jobs = jobs;
        this.publisher = publisher;
    }

    /** Moves the job if it is in one of {@code from}; only the caller that wins the CAS emits the event. */
    public boolean transition(String jobId, Set<JobState> from, JobState to, String message, List<FieldError> errors,
            Map<String, Object> data) {
        if (!jobs.transition(jobId, from, to, message)) {
            return false;
        }
        emit(JobEvent.stateChanged(jobId, to, message, errors, data));
        return true;
    }

    /** Stores the event in the job's history and publishes it. */
    public void emit(JobEvent event) {
        jobs.appendEvent(event);
        publisher.jobEvent(event);
    }

    /** Publishes without storing: high-volume events (progress) and events of jobs that are not stored. */
    public void publishOnly(JobEvent event) {
        publisher.jobEvent(event);
    }

    /** A map without the null values, so that event data stays compact. */
    public static Map<String, Object> data(Object... keyValues) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                data.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return data;
    }
}
