package dev.pocketmesh.worker.service;

import dev.pocketmesh.contracts.TrialProposal;
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

    /** Receives each finished epoch; the worker turns it into a {@code TrialProgress} message. */
    @FunctionalInterface
    public interface EpochListener {
        void epochFinished(int epoch, int totalEpochs, Map<String, Double> metrics);
    }

    public TrainingContext(TrialProposal proposal, Map<String, Object> params, String workerId, TrialLease lease,
            EpochListener epochListener) {
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

    /** Reports a finished epoch with its intermediate metrics (e.g. validation accuracy, for early stopping). */
    public void epochFinished(int epoch, int totalEpochs, Map<String, Double> metrics) throws TrialAbandonedException {
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
