package dev.pocketmesh.orchestrator.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.orchestrator.messaging.Handling.Outcome;
import dev.pocketmesh.orchestrator.service.JobEvents;
import dev.pocketmesh.orchestrator.service.JobIntake;
import dev.pocketmesh.orchestrator.service.JobLifecycle;
import dev.pocketmesh.state.Deduplicator;
import dev.pocketmesh.state.JobStore;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Job intake from {@code pocketmesh.jobs.submit}: a {@code JobSubmission} envelope or a bare spec. A record that
 * is not JSON, or whose spec is invalid, is answered with a REJECTED job event (naming every bad field) and sent
 * to {@code pocketmesh.jobs.submit.dlq}; the jobs after it keep flowing.
 */
@ApplicationScoped
public class SubmitConsumer {
    /** De-duplication namespace of this consumer in Redis. */
    public static final String DEDUP_CONSUMER = "orchestrator-submit";
    private static final Logger LOG = Logger.getLogger(SubmitConsumer.class);

    private final JobIntake intake;
    private final JobLifecycle lifecycle;
    private final JobEvents events;
    private final JobStore jobs;
    private final Deduplicator dedup;

    public SubmitConsumer(JobIntake intake, JobLifecycle lifecycle, JobEvents events, JobStore jobs,
            Deduplicator dedup) {
        this.intake = intake;
        this.lifecycle = lifecycle;
        this.events = events;
        this.jobs = jobs;
        this.dedup = dedup;
    }

    @Incoming("jobs-submit")
    public Uni<Void> consume(Message<String> message) {
        return Handling.onWorker(message, LOG, "jobs-submit", this::handle);
    }

    Outcome handle(Message<String> message) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<String, String> meta = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElse(null);
        Position position = meta == null ? new Position(null, "local", -1, -1)
                : new Position(meta.getKey(), meta.getTopic(), meta.getPartition(), meta.getOffset());
        String value = message.getPayload();

        JsonNode doc = null;
        String malformed = null;
        if (value == null || value.isBlank()) {
            malformed = "is empty";
        } else {
            try {
                doc = Json.tree(value);
            } catch (Json.MalformedJsonException e) {
                malformed = e.getMessage();
            }
        }
        String messageId = doc != null && doc.isObject() && doc.path("spec").isObject()
                && doc.path("messageId").isTextual() ? doc.get("messageId").asText() : position.id();
        if (!dedup.firstTime(DEDUP_CONSUMER, messageId)) {
            LOG.infof("Submission %s (%s) already handled; skipped", messageId, position.id());
            return Outcome.ACK;
        }
        try {
            return malformed != null ? rejectMalformed(position, malformed) : submit(doc, position);
        } catch (RuntimeException e) {
            // Let a redelivery (or a replay from the dead-letter topic) apply it again.
            dedup.forget(DEDUP_CONSUMER, messageId);
            throw e;
        }
    }

    private Outcome rejectMalformed(Position position, String reason) {
        String jobId = rejectionId(position.key(), position);
        List<FieldError> errors = List.of(new FieldError("(document)", reason));
        LOG.warnf("Rejected submission %s (job %s): %s", position.id(), jobId, reason);
        // Nothing to store (there is no spec, maybe no name): the event tells the submitter, the DLQ keeps the record.
        events.publishOnly(JobEvent.stateChanged(jobId, JobState.REJECTED, "rejected: " + reason, errors,
                JobEvents.data("topic", position.topic(), "partition", position.partition(),
                        "offset", position.offset())));
        return Outcome.nack("malformed submission: " + reason);
    }

    private Outcome submit(JsonNode doc, Position position) {
        JobIntake.Submission submission = intake.read(doc, null, position.key());
        if (!submission.valid()) {
            boolean badId = submission.errors().stream().anyMatch(e -> e.field().equals("jobId"));
            String jobId = rejectionId(badId ? null : submission.jobId(), position);
            String reasons = submission.errors().stream().map(FieldError::toString).collect(Collectors.joining("; "));
            LOG.warnf("Rejected job %s from %s: %s", jobId, position.id(), reasons);
            if (!lifecycle.reject(jobId, submission.name(), submission.errors())) {
                events.publishOnly(JobEvent.stateChanged(jobId, JobState.REJECTED, "rejected", submission.errors(),
                        null));
            }
            return Outcome.nack("invalid job spec: " + reasons);
        }
        JobLifecycle.Accepted accepted = lifecycle.accept(submission.jobId(), submission.spec());
        if (accepted.created()) {
            LOG.infof("Job %s accepted from %s (%s)", accepted.jobId(), position.id(), accepted.state());
        } else {
            LOG.infof("Job %s exists already (%s); submission %s changed nothing", accepted.jobId(), accepted.state(),
                    position.id());
        }
        return Outcome.ACK;
    }

    /**
     * The id a rejection is announced under: the submitter's id when it is usable and not another job's (a bad
     * resubmission must not mark a running job REJECTED), else one derived from the record's position.
     */
    private String rejectionId(String candidate, Position position) {
        if (candidate != null && !candidate.isBlank() && JobIntake.JOB_ID.matcher(candidate).matches()
                && jobs.find(candidate).isEmpty()) {
            return candidate;
        }
        return "rejected-" + position.partition() + "-" + position.offset();
    }

    record Position(String key, String topic, int partition, long offset) {
        String id() {
            return topic + "-" + partition + "-" + offset;
        }
    }
}
