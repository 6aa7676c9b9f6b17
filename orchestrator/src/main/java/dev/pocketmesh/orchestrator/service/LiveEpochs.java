package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.contracts.TrialProgress;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest epoch report of each trial, for live views (the CLI's progress line, the job document). Kept in
 * memory only: it is a display aid rebuilt by the next epoch report, not job state, so losing it on a restart
 * costs nothing but a moment of "no epoch yet".
 */
@ApplicationScoped
public class LiveEpochs {
    /** One trial's latest epoch. */
    public record Epoch(String trialId, int attempt, int epoch, int totalEpochs, Map<String, Double> metrics,
            Instant at) {
    }

    private final Map<String, Map<String, Epoch>> byJob = new ConcurrentHashMap<>();

    public void record(TrialProgress p) {
        byJob.computeIfAbsent(p.jobId(), k -> new ConcurrentHashMap<>()).merge(p.trialId(),
                new Epoch(p.trialId(), p.attempt(), p.epoch(), p.totalEpochs(), p.metrics(), Instant.now()),
                (old, now) -> now.attempt() > old.attempt()
                        || (now.attempt() == old.attempt() && now.epoch() >= old.epoch()) ? now : old);
    }

    /** The latest epochs of the given trials (those still training), in the given order. */
    public List<Epoch> of(String jobId, List<String> trialIds) {
        Map<String, Epoch> epochs = byJob.getOrDefault(jobId, Map.of());
        return trialIds.stream().map(epochs::get).filter(java.util.Objects::nonNull).toList();
    }

    public void forget(String jobId) {
        byJob.remove(jobId);
    }
}
