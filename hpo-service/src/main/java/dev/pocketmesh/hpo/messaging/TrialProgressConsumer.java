package dev.pocketmesh.hpo.messaging;

import dev.pocketmesh.contracts.InvalidMessageException;
import dev.pocketmesh.contracts.Messages;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.hpo.service.EarlyStopping;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** {@code pocketmesh.trials.progress} (group hpo-service): workers' epoch reports, judged for early stopping. */
@ApplicationScoped
public class TrialProgressConsumer {
    public static final String CHANNEL = "trial-progress";
    private static final Logger LOG = Logger.getLogger(TrialProgressConsumer.class);

    private final EarlyStopping earlyStopping;

    public TrialProgressConsumer(EarlyStopping earlyStopping) {
        this.earlyStopping = earlyStopping;
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> onProgress(Message<String> message) {
        TrialProgress progress;
        try {
            progress = Messages.parse(message.getPayload(), TrialProgress.class);
            if (progress.trialId() == null || progress.jobId() == null) {
                throw new InvalidMessageException("TrialProgress without jobId or trialId");
            }
        } catch (InvalidMessageException e) {
            LOG.warnf("dead-lettering trial progress: %s; record: %s", e.getMessage(),
                    Messages.excerpt(message.getPayload()));
            return message.nack(e);
        }
        try {
            earlyStopping.onProgress(progress);
        } catch (RuntimeException e) {
            // Early stopping is an optimisation: a report that cannot be judged (Redis or Kafka down) lets the trial
            // run to its end, which is always correct, so the record is not retried.
            LOG.warnf("could not judge epoch %d of %s for early stopping: %s", progress.epoch(), progress.trialId(),
                    e.getMessage());
        }
        return message.ack();
    }
}
