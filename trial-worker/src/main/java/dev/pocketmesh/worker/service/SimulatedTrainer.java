package dev.pocketmesh.worker.service;

import dev.pocketmesh.learner.ParamReader;
import dev.pocketmesh.learner.SimulatedLearner;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * The {@code simulated} learner's training side (see {@link SimulatedLearner}): sleeps {@code sleepMs} spread
 * over the spec's epochs and reports an accuracy per epoch that rises towards the one the evaluator will
 * measure. Fails, deterministically per (seed, trial number), with probability {@code failProbability}.
 */
@ApplicationScoped
public class SimulatedTrainer implements Learner {

    @Override
    public String name() {
        return SimulatedLearner.NAME;
    }

    @Override
    public TrainedCandidate train(TrainingContext context) throws Exception {
        Map<String, Object> params = context.params();
        long seed = context.seed();
        int trialNumber = context.proposal().trialNumber();
        if (SimulatedLearner.fails(params, seed, trialNumber)) {
            throw new LearnerException("simulated learner failed on trial " + trialNumber + " (failProbability "
                    + ParamReader.doubleOr(params, "failProbability", 0.0) + ")");
        }
        double finalAccuracy;
        try {
            finalAccuracy = SimulatedLearner.measure(context.config(), params, seed, trialNumber).get("accuracy");
        } catch (IllegalArgumentException e) {
            throw new LearnerException("invalid configuration: " + e.getMessage(), e);
        }
        long sleepMs = ParamReader.intOr(params, "sleepMs", 0);
        int epochs = context.epochs();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            // Exact share of the total per epoch, so the epochs add up to sleepMs whatever the remainder.
            context.pause(sleepMs * epoch / epochs - sleepMs * (epoch - 1) / epochs);
            context.epochFinished(epoch, epochs,
                    Map.of("accuracy", SimulatedLearner.accuracyAfterEpoch(finalAccuracy, epoch, epochs)));
        }
        return TrainedCandidate.manifestOnly(Map.of("epochs", epochs, "sleepMs", sleepMs));
    }
}
