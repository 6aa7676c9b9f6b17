package dev.pocketmesh.worker.messaging;

import dev.pocketmesh.contracts.InvalidMessageException;
import dev.pocketmesh.contracts.Messages;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.worker.service.TrialOutcome;
import dev.pocketmesh.worker.service.TrialRunner;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code pocketmesh.trials.proposed} (group {@code trial-workers}). {@code @Blocking} with ordered execution
 * runs one proposal at a time on a worker thread, off the event loop; meanwhile the connector keeps polling
 * with the partitions paused, so a long trial does not make this consumer leave its group.
 */
@ApplicationScoped
public class ProposalConsumer {
    private static final Logger LOG = Logger.getLogger(ProposalConsumer.class);

    private final TrialRunner runner;

    public ProposalConsumer(TrialRunner runner) {
        this.runner = runner;
    }

    @Incoming("trials-proposed")
    @Blocking(ordered = true)
    public CompletionStage<Void> onProposal(org.eclipse.microprofile.reactive.messaging.Message<String> message) {
        TrialProposal proposal;
        try {
            proposal = parse(message.getPayload());
        } catch (InvalidMessageException e) {
            LOG.warnf("rejecting a proposal to the dead-letter topic: %s", e.getMessage());
            return message.nack(e);
        }
        try {
            // Returns once what the proposal led to is on the broker (at-least-once: only then is it acked).
            TrialOutcome outcome = runner.run(proposal);
            if (outcome == TrialOutcome.DEFERRED) {
                // Not acked: after this consumer leaves, the proposal is redelivered to another worker.
                return CompletableFuture.completedFuture(null);
            }
            return message.ack();
        } catch (RuntimeException e) {
            LOG.errorf(e, "failed to handle %s attempt %d", proposal.trialId(), proposal.attempt());
            return message.nack(e);
        }
    }

    static TrialProposal parse(String payload) {
        return Messages.parse(payload, TrialProposal.class).requireRunnable();
    }
}
