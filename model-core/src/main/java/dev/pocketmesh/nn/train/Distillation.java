package dev.pocketmesh.nn.train;

import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.tensor.Weights;

/**
 * Knowledge distillation (Hinton et al. 2015): the student also learns the teacher's softened outputs.
 *
 * @param teacher        the teacher network (the uncompressed model), run in inference mode
 * @param temperature    softens both distributions: softmax(logits / T)
 * @param weight         the soft-target loss's share: {@code (1 - weight) * CE + weight * T^2 * KL}
 */
public record Distillation(NetSpec teacher, Weights teacherWeights, double temperature, double weight) {
    public Distillation {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("distillation temperature must be > 0, got " + temperature);
        }
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("distillation weight must be in [0, 1], got " + weight);
        }
    }
}
