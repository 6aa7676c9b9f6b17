package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.contracts.JobEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * In-memory fan-out of the live {@code pocketmesh.jobs.events} stream to this instance's SSE subscribers, by job.
 * Every instance reads the whole topic (its own consumer group), so a client may follow any job from any replica.
 */
@ApplicationScoped
public class JobEventBroadcaster {
    private static final Logger LOG = Logger.getLogger(JobEventBroadcaster.class);
    private final ConcurrentHashMap<String, Set<Consumer<JobEvent>>> listeners = new ConcurrentHashMap<>();

    /** Registers a listener for one job's events; close the returned handle to stop. */
    public AutoCloseable subscribe(String jobId, Consumer<JobEvent> listener) {
        listeners.computeIfAbsent(jobId, id -> new CopyOnWriteArraySet<>()).add(listener);
        return () -> listeners.computeIfPresent(jobId, (id, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    public void publish(JobEvent event) {
        Set<Consumer<JobEvent>> set = event.jobId() == null ? null : listeners.get(event.jobId());
        if (set == null) {
            return;
        }
        for (Consumer<JobEvent> listener : set) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.debugf(e, "SSE listener of job %s failed", event.jobId());
            }
        }
    }

    public int subscribers(String jobId) {
        Set<Consumer<JobEvent>> set = listeners.get(jobId);
        return set == null ? 0 : set.size();
    }
}
