package dev.pocketmesh.hpo.messaging;

import dev.pocketmesh.contracts.Messages;
import dev.pocketmesh.contracts.StudyCommand;
import dev.pocketmesh.contracts.InvalidMessageException;
import dev.pocketmesh.hpo.service.StudyRecovery;
import dev.pocketmesh.hpo.service.StudyService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** {@code pocketmesh.studies} (group hpo-service): the orchestrator opens or cancels a job's study. */
@ApplicationScoped
public class StudyCommandConsumer {
    public static final String CHANNEL = "studies";
    private static final Logger LOG = Logger.getLogger(StudyCommandConsumer.class);

    private final StudyService service;
    private final StudyRecovery recovery;

    public StudyCommandConsumer(StudyService service, StudyRecovery recovery) {
        this.service = service;
        this.recovery = recovery;
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> onCommand(Message<String> message) {
        StudyCommand command;
        try {
            command = Messages.parse(message.getPayload(), StudyCommand.class);
            if (command.action() == null) {
                throw new InvalidMessageException("StudyCommand without action");
            }
        } catch (InvalidMessageException e) {
            LOG.warnf("dead-lettering study command: %s; record: %s", e.getMessage(), Messages.excerpt(message.getPayload()));
            return message.nack(e);
        }
        try {
            switch (command.action()) {
                case START -> service.start(command.jobId(), command.spec());
                case CANCEL -> service.cancel(command.jobId());
            }
            return message.ack();
        } catch (InvalidMessageException e) {
            LOG.warnf("dead-lettering study command %s for %s: %s", command.messageId(), command.jobId(), e.getMessage());
            return message.nack(e);
        } catch (RuntimeException e) {
            // The study may exist with proposals half made: repair it in the background, keep the record for replay.
            LOG.errorf(e, "study command %s (%s %s) failed", command.messageId(), command.action(), command.jobId());
            if (command.action() == StudyCommand.Action.START) {
                recovery.scheduleRepair(command.jobId());
            }
            return message.nack(e);
        }
    }
}
