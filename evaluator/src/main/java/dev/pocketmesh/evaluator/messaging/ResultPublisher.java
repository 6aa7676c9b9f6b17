package dev.pocketmesh.evaluator.messaging;

import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.evaluator.config.EvaluatorConfig;
import dev.pocketmesh.json.Json;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Results to {@code pocketmesh.trials.results}, keyed by jobId so each job's results stay in order. */
@ApplicationScoped
public class ResultPublisher {
    private final MutinyEmitter<String> results;
    private final Duration timeout;

    public ResultPublisher(@Channel("trials-results") MutinyEmitter<String> results, EvaluatorConfig config) {
        this.results = results;
        this.timeout = config.publishTimeout();
    }

    /** Returns once the broker acknowledged the result (acks=all); throws if it did not in time. */
    public void publish(TrialResult result) {
        Message<String> message = Message.of(Json.write(result))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(result.jobId()).build());
        results.sendMessage(message).await().atMost(timeout);
    }
}
