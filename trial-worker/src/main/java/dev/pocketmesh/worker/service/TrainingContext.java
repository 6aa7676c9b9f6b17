package dev.pocketmesh.worker.service;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.contracts.TrialProposal;
import java.net.URI;
import java.util.Optional;
import dev.pocketmesh.spec.JobSpec;
import java.util.Map;

/**
 * What a {@link Learner} sees of the trial it trains: the proposal (configuration and spec), the learner's
 * parameters with defaults filled in, a way to report epochs, and the abandonment signal of the trial's lease.
 */
public final class TrainingContext {
    private final TrialProposal proposal;
    private final Map<String, Object> params;
    private final String workerId;
    private final TrialLease lease;
    private final EpochListener epochListener;
    private final ArtifactStore artifacts;
    private final Optional<URI> baselineArtifact;

    /** Receives each finished epoch; the worker turns it into a {@code TrialProgress} message. */
    @FunctionalInterface
    public interface EpochListener {
        void epochFinished(int epoch, int totalEpochs, Map<String, Double> metrics);
    }

    public TrainingContext(TrialProposal proposal, Map<String, Object> params, String workerId, TrialLease lease,
            ArtifactStore artifacts, Optional<URI> baselineArtifact, EpochListener epochListener) {
        this.artifacts = artifacts;
        this.baselineArtifact = baselineArtifact;
        this.proposal = proposal;
        this.params = params;
        this.workerId = workerId;
        this.lease = lease;
        this.epochListener = epochListener;
    }

    public TrialProposal proposal() {
        return proposal;
    }

    public JobSpec spec() {
        return proposal.spec();
    }

    public Map<String, Object> config() {
        return proposal.config() == null ? Map.of() : proposal.config();
    }

    /** {@code compression.params} of the spec, with the learner's defaults filled in. */
    public Map<String, Object> params() {
        return params;
    }

    /** The store holding the job's artifacts (the baseline's model files sit beside its manifest). */
    public ArtifactStore artifacts() {
        return artifacts;
    }

    /** The manifest URI of the job's trained baseline; empty for the baseline trial itself. */
    public Optional<URI> baselineArtifact() {
        return baselineArtifact;
    }

    /** Weights saved after an epoch, so a later attempt of the same trial can resume instead of restarting. */
    public record Checkpoint(int epoch, byte[] weights) {
    }

    private static final String CHECKPOINT_WEIGHTS = "checkpoint.npz";
    private static final String CHECKPOINT_INFO = "checkpoint.json";

    /** Saves this attempt's checkpoint (weights first, then the file that says which epoch they are). */
    public void saveCheckpoint(int epoch, byte[] weights) throws TrialAbandonedException {
        checkAbandoned();
        String dir = attemptDirectory(proposal.attempt());
        artifacts.put(dir + "/" + CHECKPOINT_WEIGHTS, weights);
        artifacts.put(dir + "/" + CHECKPOINT_INFO, dev.pocketmesh.json.Json.write(Map.of("epoch", epoch))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The newest checkpoint an earlier attempt of this trial left (a worker that died mid-training). */
    public Optional<Checkpoint> latestCheckpoint() {
        for (int attempt = proposal.attempt() - 1; attempt >= 1; attempt--) {
            String dir = attemptDirectory(attempt);
            URI info = artifacts.uri(dir + "/" + CHECKPOINT_INFO);
            if (artifacts.exists(info)) {
                Map<String, Object> read = dev.pocketmesh.json.Json.readMap(
                        new String(artifacts.get(info), java.nio.charset.StandardCharsets.UTF_8));
                int epoch = ((Number) read.get("epoch")).intValue();
                return Optional.of(new Checkpoint(epoch, artifacts.get(artifacts.uri(dir + "/" + CHECKPOINT_WEIGHTS))));
            }
        }
        return Optional.empty();
    }

    private String attemptDirectory(int attempt) {
        return ArtifactStore.attemptDirectory(proposal.jobId(), proposal.trialId(), proposal.kind(), attempt);
    }

    /** Training settings of the spec (defaults when it has none). */
    public JobSpec.Training training() {
        return spec().training() == null ? new JobSpec.Training(1, 64, 0.01, "auto") : spec().training();
    }

    public String workerId() {
        return workerId;
    }

    /** Fine-tune epochs of the spec (at least 1). */
    public int epochs() {
        JobSpec.Training training = spec().training();
        return training == null ? 1 : Math.max(1, training.epochs());
    }

    public long seed() {
        return spec().search() == null ? 0 : spec().search().seed();
    }

    /**
     * Reports a finished epoch with its intermediate metrics (validation accuracy: what early stopping judges).
     * The lease is confirmed first, so a trial the study stopped after an earlier epoch ends here.
     */
    public void epochFinished(int epoch, int totalEpochs, Map<String, Double> metrics) throws TrialAbandonedException {
        lease.confirm();
        checkAbandoned();
        epochListener.epochFinished(epoch, totalEpochs, metrics);
    }

    /** Throws if the worker lost this trial; call between batches. */
    public void checkAbandoned() throws TrialAbandonedException {
        if (lease.isLost()) {
            throw new TrialAbandonedException(lease.lostReason());
        }
    }

    /** Waits {@code millis}, returning early with an exception as soon as the trial is lost. */
    public void pause(long millis) throws TrialAbandonedException {
        if (millis > 0 ? lease.awaitLost(millis) : lease.isLost()) {
            throw new TrialAbandonedException(lease.lostReason());
        }
    }
}
