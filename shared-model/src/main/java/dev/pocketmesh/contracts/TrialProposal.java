package dev.pocketmesh.contracts;

import dev.pocketmesh.spec.JobSpec;
import java.time.Instant;
import java.util.Map;

/**
 * A trial to train, on {@code pocketmesh.trials.proposed} (key = trialId). {@code attempt} starts at 1 and
 * grows each time the reaper re-proposes the trial after its worker died; a worker only runs the attempt
 * the trial record in Redis currently expects. The spec travels with the proposal so a worker needs
 * nothing else to start; weights never travel, only artifact URIs. {@code estimatedLatencyMs} is the latency model's
 * estimate of the candidate when the hpo-service screened it against a latency target (null otherwise), kept so the
 * report can set it beside the measured latency.
 */
public record TrialProposal(int schemaVersion, String messageId, String jobId, Instant createdAt, String trialId,
        int trialNumber, int attempt, TrialKind kind, Map<String, Object> config, JobSpec spec,
        Double estimatedLatencyMs) implements Message {

    public static TrialProposal of(String jobId, String trialId, int trialNumber, int attempt, TrialKind kind,
            Map<String, Object> config, JobSpec spec) {
        return new TrialProposal(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), trialId, trialNumber,
                attempt, kind, config, spec, null);
    }

    /** This proposal with the latency model's pre-training estimate of its candidate (null: none). */
    public TrialProposal withEstimatedLatencyMs(Double estimate) {
        return new TrialProposal(schemaVersion, messageId, jobId, createdAt, trialId, trialNumber, attempt, kind,
                config, spec, estimate);
    }

    /** Refuses a proposal a worker could not run: no trial, kind, configuration or learner, or no attempt. */
    public TrialProposal requireRunnable() {
        new RequiredFields().text("trialId", trialId).present("kind", kind).present("config", config)
                .present("spec.compression.learner", RequiredFields.learnerOf(spec))
                .check("TrialProposal", trialId, attempt);
        return this;
    }

    /** The same trial proposed again, as a new message, for the next attempt. */
    public TrialProposal nextAttempt(int newAttempt) {
        return new TrialProposal(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), trialId, trialNumber,
                newAttempt, kind, config, spec, estimatedLatencyMs);
    }
}
