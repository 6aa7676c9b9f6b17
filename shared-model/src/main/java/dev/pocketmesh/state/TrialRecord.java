package dev.pocketmesh.state;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A trial as stored in Redis. {@code attempts} lists "workerId#attempt" for every claim, so a trial rerun
 * after a worker died shows both workers.
 */
public record TrialRecord(String trialId, String jobId, int number, TrialKind kind, TrialState state, int attempt,
        String workerId, List<String> attempts, Map<String, Object> config, TrialProposal proposal,
        Map<String, Double> metrics, String artifactUri, String error, Instant proposedAt, Instant startedAt,
        Instant finishedAt) {

    static TrialRecord fromHash(Map<String, String> h) {
        if (h == null || h.isEmpty()) {
            return null;
        }
        TrialProposal proposal = Json.read(h.get("proposal"), TrialProposal.class);
        String attempts = h.getOrDefault("attempts", "");
        return new TrialRecord(h.get("trialId"), h.get("jobId"), Integer.parseInt(h.get("number")),
                TrialKind.valueOf(h.get("kind")), TrialState.valueOf(h.get("state")),
                Integer.parseInt(h.get("attempt")), h.get("workerId"),
                attempts.isEmpty() ? List.of() : Arrays.asList(attempts.split(",")),
                proposal.config(), proposal, Json.readMetrics(h.get("metrics")), h.get("artifactUri"),
                h.get("error"), instant(h.get("proposedAt")), instant(h.get("startedAt")),
                instant(h.get("finishedAt")));
    }

    private static Instant instant(String millis) {
        return millis == null || millis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }

    /**
     * The proposal for the attempt the trial expects now: the stored proposal keeps the attempt it was first
     * made with, and the reaper moves the trial on to later attempts.
     */
    public TrialProposal currentProposal() {
        return proposal.attempt() == attempt ? proposal : proposal.nextAttempt(attempt);
    }

    /** Milliseconds from proposal to terminal state, or null while the trial is not finished. */
    public Long durationMs() {
        return proposedAt == null || finishedAt == null ? null
                : finishedAt.toEpochMilli() - proposedAt.toEpochMilli();
    }
}
