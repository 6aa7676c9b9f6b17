package dev.pocketmesh.nn.compress;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensors a quantized model quantizes besides the inputs of its conv and linear layers, so that every conv,
 * linear and residual Add runs as an integer kernel in ONNX Runtime (QLinearConv, QGemm, QLinearAdd need a quantized
 * output, not only quantized inputs): without them each such layer runs in float behind DequantizeLinear, with
 * layout transposes around it, and the int8 model is slower than the fp32 one (bench/results/int8-graph-study.md).
 *
 * <p>A point is the output of a conv, linear or Add (after the plain ReLU that follows it, if one does: quantizing
 * after a ReLU is quantizing its input with the zero point at 0, which ONNX Runtime folds into the integer kernel),
 * or a projection shortcut's conv, whose value does not reach exactly one conv or linear through layers that commute
 * with quantization (ReLU, MaxPool, Flatten): that layer's input quantization already covers such a tensor. So the
 * points are the residual streams (read by a block's conv and by the next Add), the branch outputs an Add sums, and
 * the tensor before a global pooling; a plain chain (LeNet, VGG, MobileNet up to its pooling) has none but the last.
 * The simulated model quantizes each point (calibrated like the layer inputs, on the same unlabelled images), and the
 * ONNX export places a QuantizeLinear → DequantizeLinear pair there, so the two compute the same values.
 */
public final class TensorQuantization {
    private TensorQuantization() {
    }

    /** The names of the layers (top-level, or projection shortcut convs) whose output tensor is quantized. */
    public static List<String> points(NetSpec spec) {
        List<Layer> layers = spec.layers();
        Set<String> readElsewhere = new HashSet<>();
        for (Layer layer : layers) {
            if (layer instanceof Layer.Add add) {
                readElsewhere.add(add.from());
            }
        }
        List<String> points = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer instanceof Layer.Add add && add.shortcut() != null) {
                points.add(add.shortcut().conv().name()); // read by the Add alone
            }
            if (!(layer instanceof Layer.Conv2d || layer instanceof Layer.Linear || layer instanceof Layer.Add)) {
                continue;
            }
            int t = i + 1 < layers.size() && isPlainRelu(layers.get(i + 1)) ? i + 1 : i;
            if (t < layers.size() - 1 && !coveredByNextInput(layers, t, readElsewhere)) {
                points.add(layers.get(t).name());
            }
        }
        return points;
    }

    /** Whether the output of layer {@code t} reaches only one conv or linear through quantization-commuting layers. */
    private static boolean coveredByNextInput(List<Layer> layers, int t, Set<String> readElsewhere) {
        int j = t;
        while (true) {
            if (readElsewhere.contains(layers.get(j).name())) {
                return false;
            }
            Layer next = layers.get(j + 1);
            if (next instanceof Layer.Conv2d || next instanceof Layer.Linear) {
                return true;
            }
            if (!commutesWithQuantization(next) || j + 2 >= layers.size()) {
                return false;
            }
            j++;
        }
    }

    private static boolean isPlainRelu(Layer layer) {
        return layer instanceof Layer.Relu r && r.max() == null;
    }

    /** Applied to values on a quantization grid, these give values on the same grid. */
    public static boolean commutesWithQuantization(Layer layer) {
        // A capped ReLU does not: its cap need not lie on the grid.
        return isPlainRelu(layer) || layer instanceof Layer.MaxPool || layer instanceof Layer.Flatten;
    }
}
