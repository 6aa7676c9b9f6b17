package dev.pocketmesh.evaluator.service;

import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the stored weights of a model say about its compression, measured from the tensors themselves. */
final class StoredWeights {
    private StoredWeights() {
    }

    /**
     * {@code sparsity}: zero weights over all weights of the conv and linear layers; for a packed model also
     * {@code equivalentBits} (mean bit width of those weights, 32 for float ones) and {@code bitsPerWeight} (bytes of
     * the packed tensors, scales and bitmaps included, per weight they hold).
     */
    static Map<String, Double> metrics(ModelFiles model) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        long zeros = 0;
        long total = 0;
        double bits = 0;
        for (WeightLayers.WeightLayer layer : WeightLayers.of(model.spec())) {
            Tensor w = model.weights().get(layer.name(), Weights.WEIGHT);
            for (float v : w.data()) {
                zeros += v == 0f ? 1 : 0;
            }
            total += w.size();
            bits += (double) bitsOf(model, Weights.key(layer.name(), Weights.WEIGHT)) * w.size();
        }
        metrics.put("sparsity", total == 0 ? 0 : (double) zeros / total);
        if (model.packed() != null) {
            metrics.put(dev.pocketmesh.search.Objective.EQUIVALENT_BITS, total == 0 ? 32 : bits / total);
            double perValue = model.packed().compressedBitsPerValue();
            if (!Double.isNaN(perValue)) {
                metrics.put("bitsPerWeight", perValue);
            }
        }
        return metrics;
    }

    private static int bitsOf(ModelFiles model, String key) {
        EncodedTensor e = model.packed() == null ? null : model.packed().tensors().get(key);
        if (e instanceof EncodedTensor.Sparse s) {
            e = s.values();
        }
        if (e instanceof EncodedTensor.Quantized q) {
            return q.scheme().bits();
        }
        if (e instanceof EncodedTensor.Codebook c) {
            return c.bits();
        }
        return 32;
    }
}
