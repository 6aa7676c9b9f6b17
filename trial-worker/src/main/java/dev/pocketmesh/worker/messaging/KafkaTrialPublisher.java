package dev.pocketmesh.worker.messaging;

import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.worker.config.WorkerConfig;
import dev.pocketmesh.worker.service.PublishException;
import dev.pocketmesh.worker.service.TrialPublisher;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The worker's Kafka outputs. Evaluation requests go to {@code pocketmesh.evaluations.<device>} (the topic is
 * chosen per message, keyed by trialId); progress and results to their topics keyed by jobId.
 */
@ApplicationScoped
public class KafkaTrialPublisher implements TrialPublisher {
    private static final Logger LOG = Logger.getLogger(KafkaTrialPublisher.class);

    private final MutinyEmitter<String> progress;
    private final MutinyEmitter<String> evaluations;
    private final MutinyEmitter<String> results;
    private final Duration timeout;

    public KafkaTrialPublisher(@Channel("trials-progress") MutinyEmitter<String> progress,
            @Channel("evaluations") MutinyEmitter<String> evaluations,
            @Channel("trials-results") MutinyEmitter<String> results, WorkerConfig config) {
        this.progress = progress;
        this.evaluations = evaluations;
        this.results = results;
        this.timeout = config.publishTimeout();
    }

    @Override
    public void progress(TrialProgress message) {
        try {
            progress.sendMessageAndForget(keyed(Json.write(message), message.jobId(), null));
        } catch (RuntimeException e) {
            // A full emitter buffer or a closing channel must not fail the trial over a progress tick.
            LOG.warnf("progress of %s epoch %d not sent: %s", message.trialId(), message.epoch(), e.getMessage());
        }
    }

    @Override
    public void requestEvaluation(EvaluationRequest request) {
        String topic = Topics.evaluations(request.deviceProfile());
        await(evaluations, keyed(Json.write(request), request.trialId(), topic), "evaluation request for "
                + request.trialId() + " to " + topic);
    }

    @Override
    public void reportResult(TrialResult result) {
        await(results, keyed(Json.write(result), result.jobId(), null), result.state() + " result of "
                + result.trialId());
    }

    private void await(MutinyEmitter<String> emitter, Message<String> message, String what) {
        try {
            // The Uni completes when the broker acknowledged the record (acks=all).
            emitter.sendMessage(message).await().atMost(timeout);
        } catch (RuntimeException e) {
            LOG.errorf("the broker did not take the %s: %s", what, e.getMessage());
            throw new PublishException("cannot publish the " + what + ": " + e.getMessage(), e);
        }
    }

    private static Message<String> keyed(String json, String key, String topic) {
        OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<String> metadata =
                OutgoingKafkaRecordMetadata.<String>builder().withKey(key);
        if (topic != null) {
            metadata.withTopic(topic);
        }
        return Message.of(json).addMetadata(metadata.build());
    }
}
