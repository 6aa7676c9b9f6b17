package dev.pocketmesh.hpo.service;

import dev.pocketmesh.hpo.config.HpoConfig;
import dev.pocketmesh.state.StudyStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Resumes open studies after a restart and repairs a study whose step failed half-way (Redis or Kafka
 * unavailable), retrying with back-off on its own thread so that no Kafka partition waits for it.
 */
@ApplicationScoped
public class StudyRecovery {
    private static final Logger LOG = Logger.getLogger(StudyRecovery.class);
    private static final String STARTUP = "(startup)";

    private final StudyService service;
    private final StudyStore studies;
    private final HpoConfig config;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hpo-recovery");
        t.setDaemon(true);
        return t;
    });

    public StudyRecovery(StudyService service, StudyStore studies, HpoConfig config) {
        this.service = service;
        this.studies = studies;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        // Off the startup thread: recovery publishes to Kafka, which must not hold up (or fail) the boot.
        if (pending.add(STARTUP)) {
            executor.execute(() -> runWithRetry(STARTUP, this::startup, config.repairInitialDelay()));
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }

    private void startup() {
        if (config.recoverOnStartup()) {
            Map<String, StudyService.Recovered> recovered = recoverAll();
            LOG.infof("startup recovery: %d open studies checked", recovered.size());
        }
    }

    /**
     * One recovery pass over every open study; a study that cannot be recovered now is retried in the background.
     * Safe to run while messages are handled: every step is atomic in Redis and duplicate proposals are harmless.
     */
    public Map<String, StudyService.Recovered> recoverAll() {
        Map<String, StudyService.Recovered> results = new LinkedHashMap<>();
        for (String jobId : studies.openStudies()) {
            try {
                results.put(jobId, service.recover(jobId));
            } catch (RuntimeException e) {
                LOG.warnf("study %s: recovery failed (%s); retrying in the background", jobId, e.getMessage());
                scheduleRepair(jobId);
            }
        }
        return results;
    }

    /** Runs {@link StudyService#recover} for the study soon, and again with back-off until it succeeds. */
    public void scheduleRepair(String jobId) {
        if (pending.add(jobId)) {
            executor.schedule(() -> runWithRetry(jobId, () -> service.recover(jobId), config.repairInitialDelay()),
                    config.repairInitialDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void runWithRetry(String key, Runnable task, Duration delay) {
        try {
            task.run();
            pending.remove(key);
        } catch (RuntimeException e) {
            Duration next = delay.multipliedBy(2).compareTo(config.repairMaxDelay()) > 0 ? config.repairMaxDelay()
                    : delay.multipliedBy(2);
            LOG.warnf("recovery %s failed (%s); retrying in %s", key, e.getMessage(), delay);
            if (!executor.isShutdown()) {
                executor.schedule(() -> runWithRetry(key, task, next), delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
