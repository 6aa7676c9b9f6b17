package dev.pocketmesh.orchestrator.messaging;

import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.orchestrator.service.JobEventBroadcaster;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Reads {@code pocketmesh.jobs.events} with a group of its own per instance (from the latest offset: history
 * comes from Redis) and hands each event to this instance's SSE subscribers. Nothing here is durable, so an
 * unreadable event is skipped, not dead-lettered.
 */
@ApplicationScoped
public class LiveEventsConsumer {
    private static final Logger LOG = Logger.getLogger(LiveEventsConsumer.class);

    private final JobEventBroadcaster broadcaster;

    public LiveEventsConsumer(JobEventBroadcaster broadcaster) {
        this.broadcaster = broadcaster;
    }

    @Incoming("job-events-live")
    public CompletionStage<Void> consume(Message<String> message) {
        try {
            broadcaster.publish(Json.read(message.getPayload(), JobEvent.class));
        } catch (RuntimeException e) {
            LOG.debugf("Unreadable job event skipped: %s", e.getMessage());
        }
        return message.ack();
    }
}
