package dev.pocketmesh.orchestrator.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Runs one incoming record's handler on a worker thread (handlers touch Redis and wait for Kafka acks, which
 * must not happen on the event loop), then acks or nacks it. A nack sends the record to the channel's
 * dead-letter topic with the reason; nothing a record contains can crash the consumer or block its partition.
 * Records of one channel are handled one after another (the connector concatenates returned Unis).
 */
final class Handling {
    private Handling() {
    }

    /** What a handler decided: ack, or nack with the reason that goes to the dead-letter topic. */
    record Outcome(Throwable nackReason) {
        static final Outcome ACK = new Outcome(null);

        static Outcome nack(String reason) {
            return new Outcome(new InvalidRecordException(reason));
        }
    }

    /** A record refused for what it contains (as opposed to a failure of ours). */
    static final class InvalidRecordException extends RuntimeException {
        InvalidRecordException(String reason) {
            super(reason, null, false, false);
        }
    }

    static Uni<Void> onWorker(Message<String> message, Logger log, String channel,
            Function<Message<String>, Outcome> handler) {
        return Uni.createFrom().item(() -> handler.apply(message))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().recoverWithItem(failure -> {
                    log.errorf(failure, "Handling a record of %s failed; sending it to the dead-letter topic",
                            channel);
                    return new Outcome(failure);
                })
                .onItem().transformToUni(outcome -> outcome.nackReason() == null
                        ? Uni.createFrom().completionStage(message.ack())
                        : Uni.createFrom().completionStage(message.nack(outcome.nackReason())));
    }
}
