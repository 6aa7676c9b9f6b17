package dev.pocketmesh.worker.service;

import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialResult;

/**
 * The worker's outputs, as the trial protocol needs them. Kept apart from Kafka so that {@link TrialRunner}
 * holds the protocol and the messaging package only the wiring.
 */
public interface TrialPublisher {

    /** Informational: sent without waiting, a lost progress message costs nothing but a dashboard tick. */
    void progress(TrialProgress progress);

    /** Sends the request to the evaluators of its device profile; returns once the broker has it. */
    void requestEvaluation(EvaluationRequest request) throws PublishException;

    /** Sends a (failed) trial result; returns once the broker has it. */
    void reportResult(TrialResult result) throws PublishException;
}
