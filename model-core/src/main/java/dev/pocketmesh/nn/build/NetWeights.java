package dev.pocketmesh.nn.build;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Moves weights between an initialized {@link SpecNetwork} and the host-side {@link Weights}. */
public final class NetWeights {
    private NetWeights() {
    }

    /** Copies every parameter and BN statistic of the network to the host. */
    public static Weights read(SpecNetwork network) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Block> layer : network.parameterBlocks().entrySet()) {
            for (Pair<String, Parameter> p : layer.getValue().getDirectParameters()) {
                if (!isWeight(layer.getValue(), p.getKey())) {
                    continue;
                }
                NDArray array = p.getValue().getArray();
                tensors.put(Weights.key(layer.getKey(), p.getKey()),
                        new Tensor(toInts(array.getShape().getShape()),
                                array.toFloatArray()));
            }
        }
        return new Weights(tensors);
    }

    /**
     * Writes {@code weights} into the initialized network. Every parameter must be present with its exact shape:
     * a mismatch means the weights belong to another network, which is an error, not something to patch over.
     */
    public static void write(SpecNetwork network, Weights weights) {
        int used = 0;
        for (Map.Entry<String, Block> layer : network.parameterBlocks().entrySet()) {
            for (Pair<String, Parameter> p : layer.getValue().getDirectParameters()) {
                if (!isWeight(layer.getValue(), p.getKey())) {
                    continue;
                }
                String key = Weights.key(layer.getKey(), p.getKey());
                Tensor t = weights.asMap().get(key);
                if (t == null) {
                    throw new IllegalArgumentException("weights have no tensor '" + key + "' needed by "
                            + network.spec().name());
                }
                NDArray array = p.getValue().getArray();
                int[] expected = toInts(array.getShape().getShape());
                if (!Arrays.equals(expected, t.shape())) {
                    throw new IllegalArgumentException("tensor '" + key + "' has shape " + Arrays.toString(t.shape())
                            + " but " + network.spec().name() + " needs " + Arrays.toString(expected));
                }
                array.set(t.data());
                used++;
            }
        }
        if (used != weights.asMap().size()) {
            throw new IllegalArgumentException("weights have " + weights.asMap().size() + " tensors but "
                    + network.spec().name() + " uses " + used + ": they belong to another network");
        }
    }

    /** A transform's own parameters (step sizes, centroids) are not weights of the network. */
    private static boolean isWeight(Block block, String parameter) {
        return !(block instanceof TransformedLayer) || TransformedLayer.isLayerParameter(parameter);
    }

    static int[] toInts(long[] shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = Math.toIntExact(shape[i]);
        }
        return out;
    }
}
