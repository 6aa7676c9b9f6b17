package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random {@link Weights} with exactly the tensors and shapes a {@link NetSpec} needs
 * ({@link WeightShapes#expected}), for tests and tools that need a network without training it. Values are
 * plausible for a trained net, so that forward passes stay in a sane range: conv/linear weights He-normal
 * (std sqrt(2 / fan-in)), biases N(0, 0.05), BN gamma and running variance U(0.5, 1.5), beta and running mean
 * N(0, 0.1). Every value differs from every other, so a test can tell which channel went where.
 */
public final class RandomWeights {
    private RandomWeights() {
    }

    public static Weights of(NetSpec spec, long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : WeightShapes.expected(spec).entrySet()) {
            String key = e.getKey();
            int[] shape = e.getValue();
            int size = 1;
            for (int d : shape) {
                size *= d;
            }
            float[] data = new float[size];
            String param = key.substring(key.lastIndexOf('.') + 1);
            int fanIn = data.length / shape[0];
            for (int i = 0; i < data.length; i++) {
                data[i] = switch (param) {
                    case Weights.WEIGHT -> (float) (random.nextGaussian() * Math.sqrt(2.0 / fanIn));
                    case Weights.BIAS -> (float) (random.nextGaussian() * 0.05);
                    case Weights.GAMMA, Weights.RUNNING_VAR -> (float) (0.5 + random.nextDouble());
                    case Weights.BETA, Weights.RUNNING_MEAN -> (float) (random.nextGaussian() * 0.1);
                    default -> throw new IllegalStateException("unexpected parameter kind in '" + key + "'");
                };
            }
            tensors.put(key, new Tensor(shape, data));
        }
        return new Weights(tensors);
    }
}
