package dev.pocketmesh.contracts;

import dev.pocketmesh.spec.JobSpec;
import java.time.Instant;
import java.util.Map;

/**
 * Worker → evaluator on {@code pocketmesh.evaluations.<deviceProfile>} (key = trialId): measure the
 * candidate stored at {@code artifactUri} on that device class.
 */
public record EvaluationRequest(int schemaVersion, String messageId, String jobId, Instant createdAt,
        String trialId, int trialNumber, int attempt, TrialKind kind, String deviceProfile, String artifactUri,
        String workerId, Map<String, Object> config, JobSpec spec) implements Message {

    /** Refuses a request an evaluator could not report on: no trial, kind, configuration or learner, or no attempt. */
    public EvaluationRequest requireMeasurable() {
        new RequiredFields().text("trialId", trialId).present("kind", kind).present("config", config)
                .present("spec.compression.learner", RequiredFields.learnerOf(spec))
                .check("EvaluationRequest", trialId, attempt);
        return this;
    }

    public static EvaluationRequest of(TrialProposal proposal, String deviceProfile, String artifactUri,
            String workerId) {
        return new EvaluationRequest(SCHEMA_VERSION, MessageIds.next(), proposal.jobId(), Instant.now(),
                proposal.trialId(), proposal.trialNumber(), proposal.attempt(), proposal.kind(), deviceProfile,
                artifactUri, workerId, proposal.config(), proposal.spec());
    }
}
