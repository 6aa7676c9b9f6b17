package dev.pocketmesh.nn.train;

import java.util.Locale;

/**
 * How to train or fine-tune a network: optimiser, learning-rate schedule, regularisation, batch size, seed.
 *
 * @param optimizer   {@code sgd} (momentum 0.9, Nesterov-free) or {@code adam}
 * @param schedule    {@code cosine} (to 1 % of the base rate), {@code step} (x0.1 at 50 % and 75 % of the
 *                    updates) or {@code constant}
 * @param weightDecay L2 weight decay
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, String optimizer, String schedule,
        double weightDecay, double momentum, long seed) {

    public TrainingConfig {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        }
        optimizer = optimizer == null ? "sgd" : optimizer.toLowerCase(Locale.ROOT);
        schedule = schedule == null ? "cosine" : schedule.toLowerCase(Locale.ROOT);
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("optimizer must be sgd or adam, got " + optimizer);
        }
        if (!schedule.equals("cosine") && !schedule.equals("step") && !schedule.equals("constant")) {
            throw new IllegalArgumentException("schedule must be cosine, step or constant, got " + schedule);
        }
    }

    public TrainingConfig withEpochs(int newEpochs) {
        return new TrainingConfig(newEpochs, batchSize, learningRate, optimizer, schedule, weightDecay, momentum, seed);
    }

    public TrainingConfig withLearningRate(double rate) {
        return new TrainingConfig(epochs, batchSize, rate, optimizer, schedule, weightDecay, momentum, seed);
    }
}
