package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.orchestrator.config.OrchestratorConfig;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.state.EvaluatorRegistry;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.JobStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Keeps jobs from waiting forever on a device profile nobody measures. At intake a job whose
 * {@code evaluation.device} or one of whose {@code evaluation.alsoMeasureOn} profiles has no live evaluator (by the
 * heartbeats in {@link EvaluatorRegistry}) is refused with that field named; while jobs run, a profile whose evaluators all vanished for longer than
 * {@code pocketmesh.evaluators.grace} fails its jobs with the reason. Replicas may both fail a job: the state change
 * is compare-and-set, so one wins.
 */
@ApplicationScoped
public class EvaluatorWatch {
    private static final Logger LOG = Logger.getLogger(EvaluatorWatch.class);
    private static final Set<JobState> RUNNING = EnumSet.of(JobState.BASELINE, JobState.SEARCHING,
            JobState.FINALIZING);
    /** Newest jobs looked at per round; more running jobs than this is beyond one local mesh. */
    private static final int SCAN_LIMIT = 1_000;
    private static final String PRIMARY = "evaluation.device";

    private final EvaluatorRegistry registry;
    private final JobStore jobs;
    private final JobLifecycle lifecycle;
    private final OrchestratorConfig config;
    /** Since when (nanoTime) each profile had no evaluator, as seen by this replica. */
    private final Map<String, Long> missingSince = new HashMap<>();

    public EvaluatorWatch(EvaluatorRegistry registry, JobStore jobs, JobLifecycle lifecycle,
            OrchestratorConfig config) {
        this.registry = registry;
        this.jobs = jobs;
        this.lifecycle = lifecycle;
        this.config = config;
    }

    /**
     * The errors that refuse {@code spec} because no evaluator serves one of its device profiles (the primary, or an
     * extra one of {@code evaluation.alsoMeasureOn}), each naming its field; empty when every profile is served.
     */
    public List<FieldError> missingAtIntake(JobSpec spec) {
        if (!config.evaluators().required()) {
            return List.of();
        }
        List<FieldError> missing = new ArrayList<>();
        profilesOf(spec).forEach((field, profile) -> {
            if (registry.alive(profile).isEmpty()) {
                missing.add(new FieldError(field, "no evaluator is running for device profile '" + profile
                        + "', so " + (field.equals(PRIMARY) ? "no candidate could be measured"
                                : "the final model could not be measured there")
                        + "; start one with pocketmesh.evaluator.profile=" + profile
                        + " or choose a running profile (" + runningProfiles() + ")"));
            }
        });
        return missing;
    }

    /** The job's device profiles by the field that names them: the primary first, then the extras. */
    static Map<String, String> profilesOf(JobSpec spec) {
        Map<String, String> profiles = new LinkedHashMap<>();
        profiles.put(PRIMARY, spec.evaluation().device());
        List<String> extra = spec.evaluation().alsoMeasureOn();
        for (int i = 0; i < extra.size(); i++) {
            profiles.put("evaluation.alsoMeasureOn[" + i + "]", extra.get(i));
        }
        return profiles;
    }

    @Scheduled(identity = "evaluator-watch", every = "${pocketmesh.reaper.interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void watch() {
        if (!config.evaluators().required()) {
            return;
        }
        try {
            failJobsWithoutEvaluators();
        } catch (RuntimeException e) {
            LOG.warnf("Checking the evaluators failed (retried next round): %s", e.getMessage());
        }
    }

    /**
     * One round: fails the running jobs of which one device profile (primary or extra: a job still searching will
     * need its extra profiles for the final model, so it fails early rather than after the search) has had no
     * evaluator for the grace period.
     */
    public synchronized void failJobsWithoutEvaluators() {
        Map<String, Boolean> served = new HashMap<>();
        for (JobRecord job : jobs.listInStates(RUNNING, SCAN_LIMIT)) {
            if (job.spec() == null) {
                continue;
            }
            for (Map.Entry<String, String> named : profilesOf(job.spec()).entrySet()) {
                String profile = named.getValue();
                if (served.computeIfAbsent(profile, p -> !registry.alive(p).isEmpty())) {
                    continue;
                }
                long since = missingSince.computeIfAbsent(profile, p -> System.nanoTime());
                long missingMs = (System.nanoTime() - since) / 1_000_000L;
                if (missingMs >= config.evaluators().grace().toMillis()) {
                    lifecycle.failRunning(job.jobId(), "no evaluator for device profile '" + profile + "' ("
                            + named.getKey() + ") has been running for " + missingMs / 1000 + " s; its evaluators "
                            + "stopped (start one with pocketmesh.evaluator.profile=" + profile + " and resubmit)");
                    break;
                }
            }
        }
        // Forget profiles that are served again or that no running job needs any more.
        missingSince.keySet().removeIf(profile -> served.getOrDefault(profile, true));
    }

    private String runningProfiles() {
        Map<String, List<String>> running = registry.running();
        return running.isEmpty() ? "none is running" : "running: " + String.join(", ", running.keySet());
    }
}
