package dev.pocketmesh.nn.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import dev.pocketmesh.nn.engine.Scalars;

/**
 * {@code (1 - w) * CE(student, labels) + w * T^2 * KL(softmax(teacher / T) || softmax(student / T))}, averaged over
 * the batch. The labels list carries the class labels first and the teacher's logits second; the T^2 factor keeps
 * the soft term's gradients on the scale of the hard term's as T changes.
 */
final class DistillationLoss extends Loss {
    private final Loss hard = Loss.softmaxCrossEntropyLoss();
    private final float temperature;
    private final float weight;

    DistillationLoss(double temperature, double weight) {
        super("DistillationLoss");
        this.temperature = (float) temperature;
        this.weight = (float) weight;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray student = predictions.singletonOrThrow();
        NDArray ce = hard.evaluate(new NDList(labels.get(0)), predictions);
        if (labels.size() < 2) {
            return ce; // validation batches carry no teacher logits
        }
        NDArray teacherProbs = Scalars.div(labels.get(1), temperature).softmax(1);
        NDArray studentLog = Scalars.div(student, temperature).logSoftmax(1);
        NDArray teacherLog = Scalars.div(labels.get(1), temperature).logSoftmax(1);
        NDArray kl = teacherProbs.mul(teacherLog.sub(studentLog)).sum(new int[] {1}).mean();
        return Scalars.mul(ce, 1 - weight).add(Scalars.mul(kl, weight * temperature * temperature));
    }
}
