package dev.pocketmesh.hpo.messaging;

import dev.pocketmesh.contracts.Messages;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.InvalidMessageException;
import dev.pocketmesh.hpo.service.StudyRecovery;
import dev.pocketmesh.hpo.service.StudyService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** {@code pocketmesh.trials.results} (group hpo-service): finished SEARCH trials feed the study and free a slot. */
@ApplicationScoped
public class TrialResultConsumer {
    public static final String CHANNEL = "trial-results";
    private static final Logger LOG = Logger.getLogger(TrialResultConsumer.class);

    private final StudyService service;
    private final StudyRecovery recovery;

    public TrialResultConsumer(StudyService service, StudyRecovery recovery) {
        this.service = service;
        this.recovery = recovery;
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> onResult(Message<String> message) {
        TrialResult result;
        try {
            result = Messages.parse(message.getPayload(), TrialResult.class).requireApplicable();
        } catch (InvalidMessageException e) {
            LOG.warnf("dead-lettering trial result: %s; record: %s", e.getMessage(), Messages.excerpt(message.getPayload()));
            return message.nack(e);
        }
        if (result.kind() != TrialKind.SEARCH) {
            // Baseline and final trials belong to the orchestrator.
            return message.ack();
        }
        try {
            service.onResult(result);
            return message.ack();
        } catch (RuntimeException e) {
            // Redis or Kafka failed mid-way; the background repair tells and refills from Redis once they are back.
            LOG.errorf(e, "trial result %s for %s failed", result.messageId(), result.trialId());
            recovery.scheduleRepair(result.jobId());
            return message.nack(e);
        }
    }
}
