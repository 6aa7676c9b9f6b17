package dev.pocketmesh.hpo.messaging;

import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.json.Json;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes trial proposals on {@code pocketmesh.trials.proposed}, keyed by trialId, and waits for the broker. */
@ApplicationScoped
public class TrialProposalPublisher {
    public static final String CHANNEL = "trial-proposals";

    private final Emitter<String> emitter;

    public TrialProposalPublisher(@Channel(CHANNEL) Emitter<String> emitter) {
        this.emitter = emitter;
    }

    /** Sends all proposals, then blocks until the broker acknowledged every one (at-least-once hand-off). */
    public void publishAll(List<TrialProposal> proposals, Duration timeout) {
        if (proposals.isEmpty()) {
            return;
        }
        CompletableFuture<?>[] acks = proposals.stream().map(this::send).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(acks).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing proposals", e);
        } catch (ExecutionException e) {
            throw new PublishException("the broker refused a proposal: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishException("no broker acknowledgement for proposals within " + timeout, e);
        }
    }

    private CompletableFuture<Void> send(TrialProposal proposal) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<String> message = Message.of(Json.write(proposal))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(proposal.trialId()).build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        return acked;
    }

    /** The proposals may not have reached the broker; the caller must not treat them as published. */
    public static final class PublishException extends RuntimeException {
        PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
