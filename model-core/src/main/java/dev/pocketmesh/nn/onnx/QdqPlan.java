package dev.pocketmesh.nn.onnx;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.TensorQuantization;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a quantized model's exported graph gets QuantizeLinear → DequantizeLinear pairs, so that it computes exactly
 * what the simulated model computes (a layer's input quantized with its calibrated {@link ActivationQuant}) in the
 * form ONNX Runtime turns into integer kernels (a quantized tensor right after the Conv or Gemm that produces it).
 *
 * <p>Relu, MaxPool and Flatten commute with quantization: applied to values on the quantization grid they give
 * values on the grid, and quantizing before or after them gives the same numbers (0 is on every grid). So the
 * quantization of layer M's input may move back across such layers onto the output of whatever produces them, and
 * onto every tensor in between. It stops at a tensor something else also reads: there it stays on M's input edge
 * alone, unless that tensor is itself quantized on the same grid (a residual stream of a model with quantized
 * tensors), and then M needs no pair of its own.
 */
final class QdqPlan {
    private final Map<String, ActivationQuant> outputs;
    private final Map<String, ActivationQuant> inputEdges;
    private final Map<String, ActivationQuant> inputs;

    private QdqPlan(Map<String, ActivationQuant> outputs, Map<String, ActivationQuant> inputEdges,
            Map<String, ActivationQuant> inputs) {
        this.outputs = outputs;
        this.inputEdges = inputEdges;
        this.inputs = inputs;
    }

    /**
     * @param inputs  how each quantized layer's input is quantized, by layer name (empty for a float model)
     * @param tensors the model's quantized tensors ({@link dev.pocketmesh.nn.compress.TensorQuantization}), by the
     *                layer producing each: their pairs sit on those tensors, and a layer input that one of them
     *                already quantizes the same way gets no pair of its own
     */
    static QdqPlan of(NetSpec spec, Map<String, ActivationQuant> inputs, Map<String, ActivationQuant> tensors) {
        List<Layer> layers = spec.layers();
        Set<String> readElsewhere = new HashSet<>();
        for (Layer layer : layers) {
            if (layer instanceof Layer.Add add) {
                readElsewhere.add(add.from());
            }
        }
        Map<String, ActivationQuant> outputs = new HashMap<>(tensors);
        Map<String, ActivationQuant> inputEdges = new HashMap<>();
        for (int m = 0; m < layers.size(); m++) {
            ActivationQuant quant = inputs.get(layers.get(m).name());
            if (quant == null) {
                continue;
            }
            boolean moved = false;
            boolean covered = false;
            for (int j = m - 1; j >= 0; j--) {
                String name = layers.get(j).name();
                ActivationQuant own = tensors.get(name);
                if (own != null) { // a quantized tensor: M reads it as it is when both use the same grid
                    covered = moved || own.equals(quant);
                    break;
                }
                if (readElsewhere.contains(name)) {
                    break;
                }
                outputs.put(name, quant);
                moved = true;
                if (!TensorQuantization.commutesWithQuantization(layers.get(j))) {
                    break;
                }
            }
            if (!moved && !covered) { // the tensor M reads is shared (or is the graph input): quantize M's edge only
                inputEdges.put(layers.get(m).name(), quant);
            }
        }
        // A projection shortcut's conv reads the residual stream, quantized when the stream is.
        Map<String, ActivationQuant> layerInputs = new HashMap<>(inputs);
        for (Layer layer : layers) {
            if (layer instanceof Layer.Add add && add.shortcut() != null && tensors.containsKey(add.from())) {
                layerInputs.putIfAbsent(add.shortcut().conv().name(), tensors.get(add.from()));
            }
        }
        return new QdqPlan(outputs, inputEdges, layerInputs);
    }

    /** The quantization of this layer's (or projection shortcut conv's) output tensor, or null when it stays float. */
    ActivationQuant output(String layer) {
        return outputs.get(layer);
    }

    /** The quantization on this layer's own input edge (its input tensor is shared or the graph input), or null. */
    ActivationQuant inputEdge(String layer) {
        return inputEdges.get(layer);
    }

    /** How this layer's input is quantized, wherever the pair sits, or null for a float input. */
    ActivationQuant inputOf(String layer) {
        return inputs.get(layer);
    }
}
