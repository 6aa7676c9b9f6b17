package dev.pocketmesh.evaluator.messaging;

import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.InvalidMessageException;
import dev.pocketmesh.contracts.Messages;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.evaluator.service.EvaluationService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code pocketmesh.evaluations.<profile>} (group {@code evaluators-<profile>}). One request at a time, on a
 * worker thread: measurements read artifacts, and latencies measured concurrently would disturb each other.
 * No de-duplication: an evaluation is pure, and {@code TrialStore.complete} counts a trial's result once.
 */
@ApplicationScoped
public class EvaluationConsumer {
    private static final Logger LOG = Logger.getLogger(EvaluationConsumer.class);

    private final EvaluationService evaluations;
    private final ResultPublisher results;

    public EvaluationConsumer(EvaluationService evaluations, ResultPublisher results) {
        this.evaluations = evaluations;
        this.results = results;
    }

    @Incoming("evaluations")
    @Blocking(ordered = true)
    public CompletionStage<Void> onRequest(org.eclipse.microprofile.reactive.messaging.Message<String> message) {
        EvaluationRequest request;
        try {
            request = parse(message.getPayload());
        } catch (InvalidMessageException e) {
            LOG.warnf("rejecting an evaluation request to the dead-letter topic: %s", e.getMessage());
            return message.nack(e);
        }
        try {
            long start = System.nanoTime();
            TrialResult result = evaluations.evaluate(request);
            results.publish(result);
            LOG.infof("%s attempt %d: %s in %.1f ms", request.trialId(), request.attempt(), result.state(),
                    (System.nanoTime() - start) / 1e6);
            return message.ack();
        } catch (RuntimeException e) {
            LOG.errorf(e, "failed to evaluate %s attempt %d", request.trialId(), request.attempt());
            return message.nack(e);
        }
    }

    static EvaluationRequest parse(String payload) {
        return Messages.parse(payload, EvaluationRequest.class).requireMeasurable();
    }
}
