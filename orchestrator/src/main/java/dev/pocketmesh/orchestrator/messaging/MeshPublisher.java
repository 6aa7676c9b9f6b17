package dev.pocketmesh.orchestrator.messaging;

import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.contracts.StudyCommand;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.json.Json;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * Everything the orchestrator writes to Kafka. Each send waits for the broker's acknowledgement, so a caller
 * acks its input only once the consequence is durable (at-least-once). Must not be called on an event loop.
 */
@ApplicationScoped
public class MeshPublisher {
    static final long SEND_TIMEOUT_SECONDS = 30;

    private final Emitter<String> events;
    private final Emitter<String> studies;
    private final Emitter<String> proposals;
    private final Emitter<String> results;
    private final Emitter<String> evaluations;

    public MeshPublisher(@Channel("job-events") Emitter<String> events, @Channel("studies") Emitter<String> studies,
            @Channel("trials-proposed") Emitter<String> proposals,
            @Channel("trial-results-out") Emitter<String> results,
            @Channel("evaluations-out") Emitter<String> evaluations) {
        this.evaluations = evaluations;
        this.events = events;
        this.studies = studies;
        this.proposals = proposals;
        this.results = results;
    }

    /** On {@code pocketmesh.jobs.events}, key jobId. */
    public void jobEvent(JobEvent event) {
        send(events, "job-events", event.jobId(), Json.write(event));
    }

    /** On {@code pocketmesh.studies}, key jobId. */
    public void study(StudyCommand command) {
        send(studies, "studies", command.jobId(), Json.write(command));
    }

    /**
     * On {@code pocketmesh.trials.proposed}, key trialId; the channel's {@code partitioner.class},
     * {@link dev.pocketmesh.messaging.TrialPartitioner}, puts a re-proposed attempt where the trial's first one went.
     */
    public void proposal(TrialProposal proposal) {
        send(proposals, "trials-proposed", proposal.trialId(), Json.write(proposal));
    }

    /** On {@code pocketmesh.trials.results}, key jobId. */
    public void result(TrialResult result) {
        send(results, "trial-results-out", result.jobId(), Json.write(result));
    }

    /**
     * On {@code pocketmesh.evaluations.<request.deviceProfile>}, key trialId: the final model's measurement on an
     * extra device profile (the workers send every other evaluation request).
     */
    public void evaluation(EvaluationRequest request) {
        send(evaluations, "evaluations-out", request.trialId(), Json.write(request),
                Topics.evaluations(request.deviceProfile()));
    }

    private static void send(Emitter<String> emitter, String channel, String key, String json) {
        send(emitter, channel, key, json, null);
    }

    /** @param topic the topic, or null for the channel's configured one */
    private static void send(Emitter<String> emitter, String channel, String key, String json, String topic) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(key);
        if (topic != null) {
            metadata.withTopic(topic);
        }
        Message<String> message = Message.of(json, Metadata.of(metadata.build()),
                () -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                },
                failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        try {
            acked.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing on " + channel + " (key " + key + ") failed: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("publishing on " + channel + " (key " + key + ") was not acknowledged in "
                    + SEND_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing on " + channel, e);
        }
    }
}
