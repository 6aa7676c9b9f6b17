package dev.pocketmesh.orchestrator.api;

import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.orchestrator.service.JobEventBroadcaster;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One SSE client following one job: the stored history first, then live events (those arriving meanwhile are
 * buffered, and those already in the history dropped), in order; the stream completes after the terminal state
 * event, and unsubscribes when the client leaves. Each event is an unnamed SSE message (so
 * {@code EventSource.onmessage} sees it) with the event's messageId as SSE id and its JSON as data.
 */
final class JobEventStream implements Consumer<JobEvent> {
    private static final Logger LOG = Logger.getLogger(JobEventStream.class);

    private final Sse sse;
    private final Set<String> replayed = new HashSet<>();
    private final List<JobEvent> history;
    private final List<JobEvent> pending = new ArrayList<>();
    private final AutoCloseable subscription;
    private MultiEmitter<? super OutboundSseEvent> emitter;
    private boolean done;

    private JobEventStream(String jobId, JobEventBroadcaster broadcaster, HistorySource source, Sse sse) {
        this.sse = sse;
        // Subscribe before reading the history, so that no event can fall between the two.
        this.subscription = broadcaster.subscribe(jobId, this);
        this.history = source.events(jobId);
        history.forEach(e -> {
            if (e.messageId() != null) {
                replayed.add(e.messageId());
            }
        });
    }

    interface HistorySource {
        List<JobEvent> events(String jobId);
    }

    /** Call on a thread that may block (it reads the history from Redis). */
    static Multi<OutboundSseEvent> open(String jobId, JobEventBroadcaster broadcaster, HistorySource history,
            Sse sse) {
        JobEventStream stream = new JobEventStream(jobId, broadcaster, history, sse);
        return Multi.createFrom().<OutboundSseEvent>emitter(stream::attach)
                .onTermination().invoke(stream::close);
    }

    private synchronized void attach(MultiEmitter<? super OutboundSseEvent> emitter) {
        this.emitter = emitter;
        for (JobEvent e : history) {
            send(e);
        }
        for (JobEvent e : pending) {
            if (e.messageId() == null || !replayed.contains(e.messageId())) {
                send(e);
            }
        }
        pending.clear();
    }

    @Override
    public synchronized void accept(JobEvent event) {
        if (done) {
            return;
        }
        if (emitter == null) {
            pending.add(event);
        } else if (event.messageId() == null || !replayed.contains(event.messageId())) {
            send(event);
        }
    }

    private void send(JobEvent event) {
        if (done) {
            return;
        }
        emitter.emit(sse.newEventBuilder().id(event.messageId()).data(Json.write(event)).build());
        if (event.type() == JobEvent.Type.STATE_CHANGED && event.state() != null && event.state().isTerminal()) {
            done = true;
            emitter.complete();
        }
    }

    private synchronized void close() {
        done = true;
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.debug("closing the SSE subscription failed", e);
        }
    }
}
