package dev.pocketmesh.contracts;

import dev.pocketmesh.spec.JobSpec;
import java.time.Instant;
import java.util.Map;

/**
 * Worker → evaluator on {@code pocketmesh.evaluations.<deviceProfile>} (key = trialId): measure the
 * candidate stored at {@code artifactUri} on that device class. {@code baselineArtifactUri}, when present, is
 * the job's uncompressed model: the evaluator times both in one run so the speedup is a measured ratio.
 */
public record EvaluationRequest(int schemaVersion, String messageId, String jobId, Instant createdAt,
        String trialId, int trialNumber, int attempt, TrialKind kind, String deviceProfile, String artifactUri,
        String workerId, Map<String, Object> config, JobSpec spec, String baselineArtifactUri) implements Message {

    /** Refuses a request an evaluator could not report on: no trial, kind, configuration or learner, or no attempt. */
    public EvaluationRequest requireMeasurable() {
        new RequiredFields().text("trialId", trialId).present("kind", kind).present("config", config)
                .present("spec.compression.learner", RequiredFields.learnerOf(spec))
                .check("EvaluationRequest", trialId, attempt);
        return this;
    }

    /**
     * The final model measured on one of the job's extra device profiles ({@code evaluation.alsoMeasureOn}): the
     * FINAL trial's artifact under a measurement id of its own ({@link MessageIds#finalOnProfileId}), timed against
     * the job's baseline like every other candidate.
     */
    public static EvaluationRequest finalOnProfile(TrialProposal finalProposal, String profile, String artifactUri,
            String workerId, String baselineArtifactUri) {
        return new EvaluationRequest(SCHEMA_VERSION, MessageIds.next(), finalProposal.jobId(), Instant.now(),
                MessageIds.finalOnProfileId(finalProposal.jobId(), profile), finalProposal.trialNumber(), 1,
                TrialKind.FINAL, profile, artifactUri, workerId, finalProposal.config(), finalProposal.spec(),
                baselineArtifactUri);
    }

    public static EvaluationRequest of(TrialProposal proposal, String deviceProfile, String artifactUri,
            String workerId) {
        return of(proposal, deviceProfile, artifactUri, workerId, null);
    }

    public static EvaluationRequest of(TrialProposal proposal, String deviceProfile, String artifactUri,
            String workerId, String baselineArtifactUri) {
        return new EvaluationRequest(SCHEMA_VERSION, MessageIds.next(), proposal.jobId(), Instant.now(),
                proposal.trialId(), proposal.trialNumber(), proposal.attempt(), proposal.kind(), deviceProfile,
                artifactUri, workerId, proposal.config(), proposal.spec(), baselineArtifactUri);
    }
}
