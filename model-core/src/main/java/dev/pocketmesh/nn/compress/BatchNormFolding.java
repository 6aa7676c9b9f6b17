package dev.pocketmesh.nn.compress;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds every batch norm that directly follows a conv or linear layer (and every projection shortcut's batch norm)
 * into that layer: {@code w' = w * gamma / sqrt(var + eps)} per output channel, {@code b' = beta + (b - mean) *
 * gamma / sqrt(var + eps)}. The folded network computes the same function in inference mode, with fewer layers;
 * quantization works on it so that the integers stored are the ones a deployed model multiplies with.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /**
     * The batch norm that {@link #fold} folds into each layer, by the layer's name: top-level convs and linears
     * followed by one, and projection shortcut convs with one.
     */
    public static Map<String, String> batchNormsOf(NetSpec spec) {
        Map<String, String> of = new LinkedHashMap<>();
        List<Layer> layers = spec.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (i + 1 < layers.size() && foldsInto(layer, layers.get(i + 1))) {
                of.put(layer.name(), layers.get(i + 1).name());
            } else if (layer instanceof Layer.Add a && a.shortcut() != null && a.shortcut().bn() != null) {
                of.put(a.shortcut().conv().name(), a.shortcut().bn().name());
            }
        }
        return of;
    }

    private static boolean foldsInto(Layer layer, Layer next) {
        return next instanceof Layer.BatchNorm && (layer instanceof Layer.Conv2d || layer instanceof Layer.Linear);
    }

    public static ModelFiles fold(NetSpec spec, Weights weights) {
        List<Layer> layers = spec.layers();
        List<Layer> out = new ArrayList<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>(weights.asMap());
        Map<String, String> renamed = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Layer next = i + 1 < layers.size() ? layers.get(i + 1) : null;
            if (next != null && foldsInto(layer, next)) {
                Layer.BatchNorm bn = (Layer.BatchNorm) next;
                out.add(foldInto(layer, bn, tensors));
                renamed.put(bn.name(), layer.name());
                i++;
            } else if (layer instanceof Layer.Add a && a.shortcut() != null && a.shortcut().bn() != null) {
                Layer.Conv2d conv = (Layer.Conv2d) foldInto(a.shortcut().conv(), a.shortcut().bn(), tensors);
                out.add(new Layer.Add(a.name(), a.from(), new Layer.Shortcut(conv, null)));
            } else {
                out.add(layer);
            }
        }
        // An Add that read a folded batch norm's output now reads the layer it was folded into.
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof Layer.Add a && renamed.containsKey(a.from())) {
                out.set(i, new Layer.Add(a.name(), renamed.get(a.from()), a.shortcut()));
            }
        }
        NetSpec folded = spec.withLayers(out);
        ShapeInference.infer(folded);
        return new ModelFiles(folded, new Weights(tensors));
    }

    private static Layer foldInto(Layer layer, Layer.BatchNorm bn, Map<String, Tensor> tensors) {
        float[] gamma = tensors.remove(Weights.key(bn.name(), Weights.GAMMA)).data();
        float[] beta = tensors.remove(Weights.key(bn.name(), Weights.BETA)).data();
        float[] mean = tensors.remove(Weights.key(bn.name(), Weights.RUNNING_MEAN)).data();
        float[] var = tensors.remove(Weights.key(bn.name(), Weights.RUNNING_VAR)).data();
        String weightKey = Weights.key(layer.name(), Weights.WEIGHT);
        String biasKey = Weights.key(layer.name(), Weights.BIAS);
        float[] scales = scales(gamma, var);
        Tensor oldBias = tensors.get(biasKey);
        float[] bias = new float[gamma.length];
        for (int c = 0; c < gamma.length; c++) {
            float b = oldBias == null ? 0f : oldBias.data()[c];
            bias[c] = beta[c] + (b - mean[c]) * scales[c];
        }
        tensors.put(weightKey, scaledRows(tensors.get(weightKey), scales));
        tensors.put(biasKey, new Tensor(new int[] {gamma.length}, bias));
        if (layer instanceof Layer.Conv2d c) {
            return new Layer.Conv2d(c.name(), c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding(),
                    c.groups(), true);
        }
        Layer.Linear l = (Layer.Linear) layer;
        return new Layer.Linear(l.name(), l.inFeatures(), l.outFeatures(), true);
    }

    /** Each output channel's batch-norm scale, {@code gamma / sqrt(var + eps)}, which folding multiplies it by. */
    public static float[] scales(float[] gamma, float[] var) {
        float[] scales = new float[gamma.length];
        for (int c = 0; c < gamma.length; c++) {
            scales[c] = (float) (gamma[c] / Math.sqrt(var[c] + Layer.BatchNorm.EPSILON));
        }
        return scales;
    }

    /** {@code w} with each output channel's weights (its first dimension's rows) multiplied by its scale. */
    public static Tensor scaledRows(Tensor w, float[] scales) {
        float[] wd = w.data().clone();
        int per = w.stride0();
        for (int c = 0; c < scales.length; c++) {
            for (int i = c * per; i < (c + 1) * per; i++) {
                wd[i] *= scales[c];
            }
        }
        return new Tensor(w.shape(), wd);
    }
}
