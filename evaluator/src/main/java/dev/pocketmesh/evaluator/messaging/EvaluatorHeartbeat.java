package dev.pocketmesh.evaluator.messaging;

import dev.pocketmesh.evaluator.config.EvaluatorConfig;
import dev.pocketmesh.evaluator.config.EvaluatorIdentity;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.state.EvaluatorRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Tells the mesh this evaluator serves its device profile: a heartbeat in Redis ({@link EvaluatorRegistry}) renewed
 * every {@code pocketmesh.evaluator.heartbeat-interval} and living three intervals, withdrawn at shutdown. The
 * orchestrator refuses jobs for profiles without one and fails running jobs whose evaluators all vanished. Its own
 * thread, so a long measurement on the consumer thread does not let the heartbeat lapse.
 */
@ApplicationScoped
public class EvaluatorHeartbeat {
    private static final Logger LOG = Logger.getLogger(EvaluatorHeartbeat.class);

    private final EvaluatorRegistry registry;
    private final EvaluatorIdentity identity;
    private final Duration interval;
    private ScheduledExecutorService timer;

    public EvaluatorHeartbeat(EvaluatorRegistry registry, EvaluatorIdentity identity, EvaluatorConfig config) {
        this.registry = registry;
        this.identity = identity;
        this.interval = config.heartbeatInterval();
    }

    void start(@Observes StartupEvent event) {
        beatQuietly(); // before readiness, so a job submitted once the evaluator is up finds it
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "evaluator-heartbeat");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::beatQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("evaluator %s serves device profile %s with %s", identity.id(), identity.profile(),
                identity.settings());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
        try {
            registry.withdraw(identity.profile(), identity.id());
        } catch (RuntimeException e) {
            LOG.warnf("could not withdraw the heartbeat (it expires by itself): %s", e.getMessage());
        }
    }

    private void beat() {
        registry.heartbeat(identity.profile(), identity.id(), Json.write(identity.settings()), interval.multipliedBy(3));
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            // Redis may be back on the next beat; a lapse shows this evaluator as gone meanwhile, which is the truth.
            LOG.warnf("heartbeat not written: %s", e.getMessage());
        }
    }
}
