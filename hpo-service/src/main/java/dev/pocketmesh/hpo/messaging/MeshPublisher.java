package dev.pocketmesh.hpo.messaging;

import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
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

/**
 * What the hpo-service publishes, each call blocking until the broker acknowledged every record (at-least-once
 * hand-off): trial proposals on {@code pocketmesh.trials.proposed} (key = trialId, partition chosen by the channel's
 * {@code partitioner.class}, {@link dev.pocketmesh.messaging.TrialPartitioner}), and the PRUNED results of
 * early stopping on {@code pocketmesh.trials.results} (key = jobId, like every result).
 */
@ApplicationScoped
public class MeshPublisher {
    public static final String PROPOSALS = "trial-proposals";
    public static final String RESULTS = "trial-results-out";

    private final Emitter<String> proposals;
    private final Emitter<String> results;

    public MeshPublisher(@Channel(PROPOSALS) Emitter<String> proposals, @Channel(RESULTS) Emitter<String> results) {
        this.proposals = proposals;
        this.results = results;
    }

    public void publishAll(List<TrialProposal> batch, Duration timeout) {
        if (batch.isEmpty()) {
            return;
        }
        await(batch.stream().map(p -> send(proposals, p.trialId(), Json.write(p))).toArray(CompletableFuture[]::new),
                "proposals", timeout);
    }

    public void publishResult(TrialResult result, Duration timeout) {
        await(new CompletableFuture<?>[] {send(results, result.jobId(), Json.write(result))}, "a trial result",
                timeout);
    }

    private static void await(CompletableFuture<?>[] acks, String what, Duration timeout) {
        try {
            CompletableFuture.allOf(acks).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing " + what, e);
        } catch (ExecutionException e) {
            throw new PublishException("the broker refused " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishException("no broker acknowledgement for " + what + " within " + timeout, e);
        }
    }

    private static CompletableFuture<Void> send(Emitter<String> emitter, String key, String payload) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<String> message = Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())
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

    /** The records may not have reached the broker; the caller must not treat them as published. */
    public static final class PublishException extends RuntimeException {
        PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
