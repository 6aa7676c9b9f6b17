package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a {@link NetSpec} needs, with their shapes, in the order the network defines them (the naming of
 * {@link Weights}): conv {@code weight} [out, in/groups, k, k] and {@code bias} [out] when it has one, batch norm
 * {@code gamma}, {@code beta}, {@code runningMean}, {@code runningVar} [channels], linear {@code weight}
 * [out, in] and {@code bias} [out]; a projection shortcut's conv and BN under their own names.
 */
public final class WeightShapes {
    private WeightShapes() {
    }

    /** Every tensor the spec needs, key {@code <layer>.<param>} to shape, in definition order. */
    public static Map<String, int[]> expected(NetSpec spec) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Layer layer : spec.layers()) {
            if (layer instanceof Layer.Conv2d c) {
                conv(shapes, c);
            } else if (layer instanceof Layer.BatchNorm bn) {
                batchNorm(shapes, bn);
            } else if (layer instanceof Layer.Linear l) {
                shapes.put(Weights.key(l.name(), Weights.WEIGHT), new int[] {l.outFeatures(), l.inFeatures()});
                if (l.bias()) {
                    shapes.put(Weights.key(l.name(), Weights.BIAS), new int[] {l.outFeatures()});
                }
            } else if (layer instanceof Layer.Add a && a.shortcut() != null) {
                conv(shapes, a.shortcut().conv());
                if (a.shortcut().bn() != null) {
                    batchNorm(shapes, a.shortcut().bn());
                }
            }
        }
        return Collections.unmodifiableMap(shapes);
    }

    /**
     * Checks that {@code weights} hold exactly the tensors {@code spec} needs, each with its exact shape.
     *
     * @throws IllegalArgumentException naming the first missing tensor, the first shape mismatch (both shapes),
     *                                  or the first tensor the spec does not use
     */
    public static void check(NetSpec spec, Weights weights) {
        Map<String, int[]> expected = expected(spec);
        Map<String, Tensor> actual = weights.asMap();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Tensor t = actual.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("weights: tensor '" + e.getKey() + "' is missing; " + spec.name()
                        + " needs it with shape " + Arrays.toString(e.getValue()));
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new IllegalArgumentException("weights: tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but " + spec.name() + " needs " + Arrays.toString(e.getValue()));
            }
        }
        for (String key : actual.keySet()) {
            if (!expected.containsKey(key)) {
                throw new IllegalArgumentException("weights: tensor '" + key + "' is not a parameter of " + spec.name());
            }
        }
    }

    private static void conv(Map<String, int[]> shapes, Layer.Conv2d c) {
        shapes.put(Weights.key(c.name(), Weights.WEIGHT),
                new int[] {c.outChannels(), c.inChannels() / c.groups(), c.kernel(), c.kernel()});
        if (c.bias()) {
            shapes.put(Weights.key(c.name(), Weights.BIAS), new int[] {c.outChannels()});
        }
    }

    private static void batchNorm(Map<String, int[]> shapes, Layer.BatchNorm bn) {
        for (String param : new String[] {Weights.GAMMA, Weights.BETA, Weights.RUNNING_MEAN, Weights.RUNNING_VAR}) {
            shapes.put(Weights.key(bn.name(), param), new int[] {bn.channels()});
        }
    }
}
