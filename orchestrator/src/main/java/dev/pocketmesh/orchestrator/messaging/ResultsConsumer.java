package dev.pocketmesh.orchestrator.messaging;

import dev.pocketmesh.contracts.InvalidMessageException;
import dev.pocketmesh.contracts.Messages;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.orchestrator.messaging.Handling.Outcome;
import dev.pocketmesh.orchestrator.service.JobLifecycle;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Trial outcomes from {@code pocketmesh.trials.results} (evaluator, workers, our own reaper) drive the jobs. */
@ApplicationScoped
public class ResultsConsumer {
    private static final Logger LOG = Logger.getLogger(ResultsConsumer.class);

    private final JobLifecycle lifecycle;

    public ResultsConsumer(JobLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Incoming("trial-results")
    public Uni<Void> consume(org.eclipse.microprofile.reactive.messaging.Message<String> message) {
        return Handling.onWorker(message, LOG, "trial-results", m -> handle(m.getPayload()));
    }

    Outcome handle(String payload) {
        TrialResult result;
        try {
            result = Messages.parse(payload, TrialResult.class).requireApplicable();
        } catch (InvalidMessageException e) {
            LOG.warnf("Invalid trial result (%s): %s", e.getMessage(), Messages.excerpt(payload));
            return Outcome.nack(e.getMessage());
        }
        lifecycle.onResult(result);
        return Outcome.ACK;
    }
}
