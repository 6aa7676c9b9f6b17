package dev.pocketmesh.nn.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.pocketmesh.nn.engine.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small fully connected network on DJL arrays (in → hidden → hidden → out, ReLU between), with the agent's own
 * Adam. Weights are drawn from the caller's seeded stream rather than DJL's global generator, so two agents built
 * with the same seed start identical whatever else the process did; gradients come from DJL's autograd.
 */
final class Mlp {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final List<NDArray> parameters = new ArrayList<>();
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private int updates;

    Mlp(NDManager manager, int in, int hidden, int out, SplittableRandom random) {
        int[][] layers = {{in, hidden}, {hidden, hidden}, {hidden, out}};
        for (int[] layer : layers) {
            // Uniform in ±1/sqrt(fan-in), PyTorch's default for Linear layers.
            double bound = 1 / Math.sqrt(layer[0]);
            parameters.add(uniform(manager, new Shape(layer[0], layer[1]), bound, random));
            parameters.add(uniform(manager, new Shape(layer[1]), bound, random));
        }
        for (NDArray p : parameters) {
            p.setRequiresGradient(true);
            firstMoments.add(manager.zeros(p.getShape(), DataType.FLOAT32));
            secondMoments.add(manager.zeros(p.getShape(), DataType.FLOAT32));
        }
    }

    /** The output for a batch of rows; computed in {@code x}'s manager, so the caller's scope frees it. */
    NDArray forward(NDArray x) {
        // ReLU against a PyTorch-owned zero: autograd keeps the other operand of maximum (see Scalars).
        NDArray h = x.matMul(parameters.get(0)).add(parameters.get(1));
        h = h.maximum(Scalars.of(h, 0));
        h = h.matMul(parameters.get(2)).add(parameters.get(3));
        h = h.maximum(Scalars.of(h, 0));
        return h.matMul(parameters.get(4)).add(parameters.get(5));
    }

    /** Clears the gradients left by the last backward pass (PyTorch adds new ones to them). */
    void zeroGradients() {
        for (NDArray p : parameters) {
            if (p.hasGradient()) {
                NDArray g = p.getGradient();
                g.subi(g);
            }
        }
    }

    /** One Adam step on the gradients of the last backward pass. */
    void adamStep(double learningRate) {
        updates++;
        double correction1 = 1 - Math.pow(BETA1, updates);
        double correction2 = 1 - Math.pow(BETA2, updates);
        for (int i = 0; i < parameters.size(); i++) {
            NDArray g = parameters.get(i).getGradient();
            NDArray m = firstMoments.get(i).muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
            NDArray v = secondMoments.get(i).muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
            NDArray step = m.div((float) correction1)
                    .divi(v.div((float) correction2).sqrt().addi((float) EPSILON))
                    .muli((float) learningRate);
            parameters.get(i).subi(step);
        }
    }

    private static NDArray uniform(NDManager manager, Shape shape, double bound, SplittableRandom random) {
        float[] values = new float[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return manager.create(values, shape);
    }
}
