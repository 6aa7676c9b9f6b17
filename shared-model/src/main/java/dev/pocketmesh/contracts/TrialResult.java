package dev.pocketmesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * The outcome of one trial attempt on {@code pocketmesh.trials.results} (key = jobId), published by the
 * evaluator (EVALUATED), by a worker whose learner failed (FAILED), or by the orchestrator's reaper when a
 * trial ran out of attempts (FAILED). An evaluator's result names the device profile it measured on
 * ({@code deviceProfile}). Consumers apply it through {@code TrialStore.complete}, which accepts
 * one terminal outcome per trial, so redelivery and stale attempts count once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrialResult(int schemaVersion, String messageId, String jobId, Instant createdAt, String trialId,
        int trialNumber, int attempt, TrialKind kind, TrialState state, Map<String, Object> config,
        Map<String, Double> metrics, String artifactUri, String error, String reportedBy, String deviceProfile)
        implements Message {

    /** A result without a device profile (nothing was measured: pruned, failed, or written before profiles). */
    public TrialResult(int schemaVersion, String messageId, String jobId, Instant createdAt, String trialId,
            int trialNumber, int attempt, TrialKind kind, TrialState state, Map<String, Object> config,
            Map<String, Double> metrics, String artifactUri, String error, String reportedBy) {
        this(schemaVersion, messageId, jobId, createdAt, trialId, trialNumber, attempt, kind, state, config, metrics,
                artifactUri, error, reportedBy, null);
    }

    /** Refuses a result that cannot be applied to a trial: no trial id or kind, a state that is not terminal, no attempt. */
    public TrialResult requireApplicable() {
        new RequiredFields().text("trialId", trialId).present("kind", kind).present("state", state)
                .check("TrialResult", trialId, attempt);
        if (!state.isTerminal()) {
            throw new InvalidMessageException("TrialResult " + trialId + " with non-terminal state " + state);
        }
        return this;
    }

    public static TrialResult evaluated(EvaluationRequest request, Map<String, Double> metrics, String evaluatorId) {
        return new TrialResult(SCHEMA_VERSION, MessageIds.next(), request.jobId(), Instant.now(), request.trialId(),
                request.trialNumber(), request.attempt(), request.kind(), TrialState.EVALUATED, request.config(),
                metrics, request.artifactUri(), null, evaluatorId, request.deviceProfile());
    }

    /**
     * A search trial stopped early by the optimiser's early-stopping rule, with the metrics of the epoch where it
     * stopped (its partial result, which still informs the optimiser).
     */
    public static TrialResult pruned(TrialProgress progress, int trialNumber, Map<String, Object> config,
            Map<String, Double> metrics, String reportedBy) {
        return new TrialResult(SCHEMA_VERSION, MessageIds.next(), progress.jobId(), Instant.now(), progress.trialId(),
                trialNumber, progress.attempt(), TrialKind.SEARCH, TrialState.PRUNED, config, metrics, null,
                null, reportedBy);
    }

    public static TrialResult failed(String jobId, String trialId, int trialNumber, int attempt, TrialKind kind,
            Map<String, Object> config, String error, String reportedBy) {
        return new TrialResult(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), trialId, trialNumber,
                attempt, kind, TrialState.FAILED, config, null, null, error, reportedBy);
    }
}
