package dev.pocketmesh.worker.service;

/**
 * Trains one candidate: applies a compression configuration to the job's model and fine-tunes it. One
 * implementation per {@code compression.learner} name of the job spec, found by {@link LearnerRegistry}; the
 * messaging and lease protocol around it ({@link TrialRunner}) is the same for every learner.
 *
 * <p>Implementations are CDI beans. They report each finished epoch through
 * {@link TrainingContext#epochFinished}, and check {@link TrainingContext#checkAbandoned()} (or wait with
 * {@link TrainingContext#pause}) often enough that a trial the worker lost stops within about a second.
 */
public interface Learner {

    /** The learner name a spec's {@code compression.learner} uses to select this implementation. */
    String name();

    /**
     * Trains the trial's candidate.
     *
     * @return the files of the candidate, to be written into the trial's artifact directory
     * @throws TrialAbandonedException when the context reports the trial lost (publish nothing)
     * @throws Exception when training fails: the trial is reported FAILED with the exception's message
     */
    TrainedCandidate train(TrainingContext context) throws Exception;
}
