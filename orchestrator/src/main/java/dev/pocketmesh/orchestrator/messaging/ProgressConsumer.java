package dev.pocketmesh.orchestrator.messaging;

import dev.pocketmesh.contracts.InvalidMessageException;
import dev.pocketmesh.contracts.Messages;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.orchestrator.messaging.Handling.Outcome;
import dev.pocketmesh.orchestrator.service.JobLifecycle;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Worker epoch reports from {@code pocketmesh.trials.progress}, relayed to job followers as TRIAL_PROGRESS events. */
@ApplicationScoped
public class ProgressConsumer {
    private static final Logger LOG = Logger.getLogger(ProgressConsumer.class);

    private final JobLifecycle lifecycle;

    public ProgressConsumer(JobLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Incoming("trial-progress")
    public Uni<Void> consume(org.eclipse.microprofile.reactive.messaging.Message<String> message) {
        return Handling.onWorker(message, LOG, "trial-progress", m -> handle(m.getPayload()));
    }

    Outcome handle(String payload) {
        TrialProgress progress;
        try {
            progress = Messages.parse(payload, TrialProgress.class);
        } catch (InvalidMessageException e) {
            LOG.warnf("Invalid trial progress (%s): %s", e.getMessage(), Messages.excerpt(payload));
            return Outcome.nack(e.getMessage());
        }
        if (progress.trialId() == null) {
            return Outcome.nack("TrialProgress without trialId");
        }
        lifecycle.onProgress(progress);
        return Outcome.ACK;
    }
}
