package dev.pocketmesh.nn.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link NetSpec} with its weights as an ONNX model: the deployable form of every model the mesh produces. One
 * node per spec layer (a projection shortcut adds its Conv and BatchNormalization), so a pruned spec exports as a
 * physically smaller graph. Node outputs carry the layer names; initializers carry the weight names
 * ({@code <layer>.<param>}). The batch dimension is symbolic, so one file serves batch 1 and larger batches.
 *
 * <p>{@link #fp32} writes float weights. {@link #quantized} writes a quantized model in QDQ form, computing what the
 * simulated model computes: weights as integer initializers behind DequantizeLinear (per-channel scales on axis 0),
 * each quantized layer input behind QuantizeLinear → DequantizeLinear with the calibrated scale, and biases as int32
 * in the accumulator's scale. The input quantization of a layer is also placed on the producer's output and on every
 * tensor between them when only Relu, MaxPool and Flatten lie between (they commute with quantization, so the values
 * are the same): that is the pattern ONNX Runtime fuses into integer kernels (QLinearConv, QGemm, uint8 MaxPool).
 * The model's quantized tensors ({@link PackedWeights#outputs()}: residual streams, the branches an Add sums, the
 * tensor before a global pooling) get their pairs too, so every conv, Gemm, residual Add and global pooling has
 * quantized inputs and a quantized output, and runs as an integer kernel (QLinearAdd, QLinearGlobalAveragePool).
 * A layer whose weight is stored float inside such a graph reads its quantized input in float ops, so that it runs
 * float as stored ({@link #input}).
 */
public final class OnnxExport {
    public static final String FILE_NAME = "model.onnx";
    /** The graph input, named like the spec's input so a residual Add from it reads the same tensor. */
    public static final String INPUT = NetSpec.INPUT;
    public static final String OUTPUT = "logits";
    /** Opset 17 is supported by every ONNX Runtime of the last years and has every operator used here. */
    static final int OPSET = 17;
    static final long IR_VERSION = 8;
    private static final String BATCH = "batch";
    private static final int SYMMETRIC_ZERO_POINT = 128;

    private final GraphProto.Builder graph;
    private final Weights weights;
    private final Map<String, EncodedTensor> encoded;
    private final QdqPlan plan;
    /** Each quantized tensor (a QuantizeLinear → DequantizeLinear pair) to its own quantization. */
    private final Map<String, ActivationQuant> pairs = new HashMap<>();
    /** Each quantized tensor to its float-arithmetic dequantization, made once for the float layers reading it. */
    private final Map<String, String> floatReads = new HashMap<>();

    private OnnxExport(NetSpec spec, Weights weights, Map<String, EncodedTensor> encoded, QdqPlan plan) {
        this.graph = GraphProto.newBuilder().setName(spec.name());
        this.weights = weights;
        this.encoded = encoded;
        this.plan = plan;
    }

    /** The serialized ONNX model with float32 weights. */
    public static byte[] fp32(NetSpec spec, Weights weights) {
        return model(spec, weights).toByteArray();
    }

    /**
     * The serialized ONNX model of a compressed model in QDQ form: uniformly quantized weights stay integers, layer
     * inputs are quantized as {@link PackedWeights#activations()} says; sparse and codebook tensors are written as the
     * float values they decode to.
     */
    public static byte[] quantized(NetSpec spec, PackedWeights packed) {
        QdqPlan plan = QdqPlan.of(spec, packed.activations(), packed.outputs());
        return new OnnxExport(spec, packed.decode(), packed.tensors(), plan).build(spec).toByteArray();
    }

    static ModelProto model(NetSpec spec, Weights weights) {
        return new OnnxExport(spec, weights, Map.of(), QdqPlan.of(spec, Map.of(), Map.of())).build(spec);
    }

    private ModelProto build(NetSpec spec) {
        ShapeInference.infer(spec); // refuse an invalid network before writing anything
        graph.addInput(valueInfo(INPUT, spec.input()));
        String x = INPUT;
        List<Layer> layers = spec.layers();
        for (int i = 0; i < layers.size(); i++) {
            // The last layer writes the graph output, so every model's output has the same name.
            Layer layer = layers.get(i);
            ActivationQuant input = plan.inputEdge(layer.name());
            if (input != null) {
                x = quantizeDequantize(x, layer.name() + "/input", input);
            }
            String out = i == layers.size() - 1 ? OUTPUT : layer.name();
            ActivationQuant output = plan.output(layer.name());
            if (output == null) {
                x = addLayer(layer, x, out);
            } else {
                // The node writes a float tensor of its own; the quantized copy takes the layer's name.
                quantizeDequantize(addLayer(layer, x, layer.name() + "/float"), out, output);
                x = out;
            }
        }
        graph.addOutput(valueInfo(OUTPUT, Shape.features(spec.numClasses())));
        removeUnreadDequantization();
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("pocketmesh")
                .setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .build();
    }

    /**
     * Drops the DequantizeLinear of a quantized tensor that only float layers read (they read its float-arithmetic
     * copy, see {@link #input}): ONNX Runtime would still run it.
     */
    private void removeUnreadDequantization() {
        Set<String> read = new HashSet<>();
        graph.getNodeList().forEach(n -> read.addAll(n.getInputList()));
        read.add(OUTPUT);
        for (int i = graph.getNodeCount() - 1; i >= 0; i--) {
            NodeProto n = graph.getNode(i);
            if (n.getOpType().equals("DequantizeLinear") && pairs.containsKey(n.getOutput(0))
                    && !read.contains(n.getOutput(0))) {
                graph.removeNode(i);
            }
        }
    }

    /** Adds the nodes of one layer reading tensor {@code x} and writing tensor {@code out}; returns {@code out}. */
    private String addLayer(Layer layer, String x, String out) {
        String name = layer.name();
        NodeProto.Builder node;
        if (layer instanceof Layer.Conv2d c) {
            node = conv(c, x);
        } else if (layer instanceof Layer.BatchNorm bn) {
            node = batchNorm(bn.name(), x);
        } else if (layer instanceof Layer.Relu r && r.max() != null) {
            // A capped ReLU (ReLU6) is a Clip with its bounds as initializers <layer>.min / <layer>.max.
            node = node("Clip", name, x, scalarInitializer(name, "min", 0f), scalarInitializer(name, "max",
                    r.max().floatValue()));
        } else if (layer instanceof Layer.Relu) {
            node = node("Relu", name, x);
        } else if (layer instanceof Layer.MaxPool p) {
            node = node("MaxPool", name, x).addAttribute(ints("kernel_shape", p.kernel(), p.kernel()))
                    .addAttribute(ints("strides", p.stride(), p.stride()));
        } else if (layer instanceof Layer.AvgPool p) {
            node = node("AveragePool", name, x).addAttribute(ints("kernel_shape", p.kernel(), p.kernel()))
                    .addAttribute(ints("strides", p.stride(), p.stride()));
        } else if (layer instanceof Layer.GlobalAvgPool) {
            node = node("GlobalAveragePool", name, x);
        } else if (layer instanceof Layer.Flatten) {
            node = node("Flatten", name, x).addAttribute(AttributeProto.newBuilder().setName("axis")
                    .setType(AttributeProto.AttributeType.INT).setI(1));
        } else if (layer instanceof Layer.Linear l) {
            node = node("Gemm", name, input(name, x), weight(name, Weights.WEIGHT))
                    .addAttribute(AttributeProto.newBuilder().setName("transB")
                            .setType(AttributeProto.AttributeType.INT).setI(1));
            if (l.bias()) {
                node.addInput(bias(name));
            }
        } else if (layer instanceof Layer.Add add) {
            String other = add.from();
            if (add.shortcut() != null) {
                String conv = add.shortcut().conv().name();
                ActivationQuant quant = plan.output(conv);
                String convOut = quant == null ? conv : conv + "/float";
                graph.addNode(conv(add.shortcut().conv(), other).addOutput(convOut));
                other = convOut;
                if (add.shortcut().bn() != null) {
                    String bn = add.shortcut().bn().name();
                    graph.addNode(batchNorm(bn, other).addOutput(bn));
                    other = bn;
                }
                if (quant != null) {
                    other = quantizeDequantize(other, conv, quant);
                }
            }
            node = node("Add", name, x, other);
        } else {
            throw new IllegalArgumentException("no ONNX export for layer type " + layer.getClass().getSimpleName());
        }
        graph.addNode(node.addOutput(out));
        return out;
    }

    private NodeProto.Builder conv(Layer.Conv2d c, String x) {
        NodeProto.Builder node = node("Conv", c.name(), input(c.name(), x), weight(c.name(), Weights.WEIGHT))
                .addAttribute(ints("kernel_shape", c.kernel(), c.kernel()))
                .addAttribute(ints("strides", c.stride(), c.stride()))
                .addAttribute(ints("pads", c.padding(), c.padding(), c.padding(), c.padding()))
                .addAttribute(AttributeProto.newBuilder().setName("group")
                        .setType(AttributeProto.AttributeType.INT).setI(c.groups()));
        if (c.bias()) {
            node.addInput(bias(c.name()));
        }
        return node;
    }

    private NodeProto.Builder batchNorm(String name, String x) {
        return node("BatchNormalization", name, x,
                floatInitializer(name, Weights.GAMMA),
                floatInitializer(name, Weights.BETA),
                floatInitializer(name, Weights.RUNNING_MEAN),
                floatInitializer(name, Weights.RUNNING_VAR))
                .addAttribute(AttributeProto.newBuilder().setName("epsilon")
                        .setType(AttributeProto.AttributeType.FLOAT).setF(Layer.BatchNorm.EPSILON));
    }

    /**
     * What conv / Gemm {@code layer} reads of tensor {@code x}. A layer whose weight is stored float (kept float by
     * the fallback, or sparse or codebook-coded) but whose input is a quantized tensor must not read it straight from
     * DequantizeLinear: ONNX Runtime (1.20 and later, {@code WeightBiasQuantization}) quantizes the float weight of
     * a Conv or Gemm between a DequantizeLinear and a QuantizeLinear to per-tensor int8 on its own, so the deployed
     * layer would no longer be float (and, with 8-bit codes on a CPU without VNNI, could saturate). Such a layer reads
     * the same values computed in float ops instead: {@code (float(codes) - zero point) * scale}, which is what
     * DequantizeLinear computes, exactly.
     */
    private String input(String layer, String x) {
        ActivationQuant quant = pairs.get(x);
        if (quant == null || encoded.get(Weights.key(layer, Weights.WEIGHT)) instanceof EncodedTensor.Quantized) {
            return x;
        }
        return floatReads.computeIfAbsent(x, tensor -> {
            String zeroPoint = tensor + "/zero_point_float";
            graph.addInitializer(tensor(zeroPoint, TensorProto.DataType.FLOAT,
                    floatBytes(new float[] {quant.zeroPoint()}), new int[0]));
            graph.addNode(node("Cast", tensor + "/cast", tensor + "/codes").addOutput(tensor + "/codes_float")
                    .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                            .setI(TensorProto.DataType.FLOAT.getNumber())));
            graph.addNode(node("Sub", tensor + "/center", tensor + "/codes_float", zeroPoint)
                    .addOutput(tensor + "/centered"));
            graph.addNode(node("Mul", tensor + "/rescale", tensor + "/centered", tensor + "/scale")
                    .addOutput(tensor + "/float_read"));
            return tensor + "/float_read";
        });
    }

    /**
     * A layer's weight: integer codes behind DequantizeLinear when it is stored uniformly quantized, else float32.
     * Symmetric codes are written as int8 (zero point 0) when a product pair cannot overflow 16 bits, else as uint8
     * shifted by 128 with zero point 128 (the same values); asymmetric codes as uint8. ONNX Runtime multiplies uint8
     * activations by int8 weights with an instruction that saturates pairs of products at 16 bits on CPUs without
     * VNNI (AVX2): 2 x 255 x 127 overflows, so 8-bit weights times 8-bit inputs would corrupt trained models whose
     * codes use the whole range. Its uint8 x uint8 kernels do not saturate but run about 1.5x slower; with 7-bit
     * weights (2 x 255 x 63) or 7-bit inputs (2 x 127 x 127) the int8 kernels are exact.
     */
    private String weight(String layer, String param) {
        String name = Weights.key(layer, param);
        if (!(encoded.get(name) instanceof EncodedTensor.Quantized q)) {
            return floatInitializer(layer, param);
        }
        int channels = q.params().channels();
        int[] paramDims = channels > 1 ? new int[] {channels} : new int[0];
        if (q.scheme().symmetric() && cannotSaturate(q.scheme().bits(), plan.inputOf(layer))) {
            return dequantized(name, TensorProto.DataType.INT8, bytes(q.codes(), 0), q.shape(), q.params().scale(),
                    new byte[paramDims.length == 0 ? 1 : channels], paramDims);
        }
        int shift = q.scheme().symmetric() ? SYMMETRIC_ZERO_POINT : 0;
        return dequantized(name, TensorProto.DataType.UINT8, bytes(q.codes(), shift), q.shape(), q.params().scale(),
                bytes(q.params().zeroPoint(), shift), paramDims);
    }

    /** Whether a pair of products of symmetric {@code weightBits} codes and the layer's input codes fits 16 bits. */
    static boolean cannotSaturate(int weightBits, ActivationQuant input) {
        int maxWeight = (1 << (weightBits - 1)) - 1;
        int maxInput = input == null ? 255 : input.qmax();
        return 2 * maxWeight * maxInput <= Short.MAX_VALUE;
    }

    /** {@code values + shift}, each as one byte (uint8 or int8 as the tensor's type says). */
    private static byte[] bytes(int[] values, int shift) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) (values[i] + shift);
        }
        return out;
    }

    /**
     * A layer's bias: int32 in the scale of the layer's accumulator (input scale x weight scale) when both its input
     * and its weight are quantized, the form integer kernels add; else float32.
     */
    private String bias(String layer) {
        String name = Weights.key(layer, Weights.BIAS);
        ActivationQuant input = plan.inputOf(layer);
        if (input == null || !(encoded.get(Weights.key(layer, Weights.WEIGHT)) instanceof EncodedTensor.Quantized q)) {
            return floatInitializer(layer, Weights.BIAS);
        }
        float[] b = weights.get(layer, Weights.BIAS).data();
        float[] weightScale = q.params().scale();
        float[] scale = new float[b.length];
        ByteBuffer codes = ByteBuffer.allocate(b.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < b.length; c++) {
            scale[c] = input.scale() * weightScale[weightScale.length == 1 ? 0 : c];
            codes.putInt((int) Math.round((double) b[c] / scale[c]));
        }
        int[] dims = {b.length};
        return dequantized(name, TensorProto.DataType.INT32, codes.array(), dims, scale, new byte[4 * b.length], dims);
    }

    /**
     * Tensor {@code name} as integer {@code codes} behind DequantizeLinear: initializers {@code <name>/codes},
     * {@code /scale} and {@code /zero_point} (of {@code paramDims}: empty for one scale, else one per channel of axis
     * 0). Returns {@code name}.
     */
    private String dequantized(String name, TensorProto.DataType type, byte[] codes, int[] shape, float[] scale,
            byte[] zeroPoint, int[] paramDims) {
        graph.addInitializer(tensor(name + "/codes", type, codes, shape));
        graph.addInitializer(tensor(name + "/scale", TensorProto.DataType.FLOAT, floatBytes(scale), paramDims));
        graph.addInitializer(tensor(name + "/zero_point", type, zeroPoint, paramDims));
        NodeProto.Builder dq = node("DequantizeLinear", name + "/dequantize", name + "/codes", name + "/scale",
                name + "/zero_point").addOutput(name);
        if (paramDims.length > 0) {
            dq.addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                    .setI(0));
        }
        graph.addNode(dq);
        return name;
    }

    /**
     * QuantizeLinear then DequantizeLinear of tensor {@code x} into tensor {@code out} (uint8 codes). Codes narrower
     * than 8 bits get a Clip first, to the range their codes can express.
     */
    private String quantizeDequantize(String x, String out, ActivationQuant a) {
        String scale = out + "/scale";
        String zeroPoint = out + "/zero_point";
        graph.addInitializer(tensor(scale, TensorProto.DataType.FLOAT, floatBytes(new float[] {a.scale()}), new int[0]));
        graph.addInitializer(tensor(zeroPoint, TensorProto.DataType.UINT8, new byte[] {(byte) a.zeroPoint()},
                new int[0]));
        String in = x;
        if (a.qmax() < 255) {
            String lo = out + "/clip_min";
            String hi = out + "/clip_max";
            graph.addInitializer(tensor(lo, TensorProto.DataType.FLOAT,
                    floatBytes(new float[] {(0 - a.zeroPoint()) * a.scale()}), new int[0]));
            graph.addInitializer(tensor(hi, TensorProto.DataType.FLOAT,
                    floatBytes(new float[] {(a.qmax() - a.zeroPoint()) * a.scale()}), new int[0]));
            graph.addNode(node("Clip", out + "/clip", x, lo, hi).addOutput(out + "/clipped"));
            in = out + "/clipped";
        }
        graph.addNode(node("QuantizeLinear", out + "/quantize", in, scale, zeroPoint).addOutput(out + "/codes"));
        graph.addNode(node("DequantizeLinear", out + "/dequantize", out + "/codes", scale, zeroPoint).addOutput(out));
        pairs.put(out, a);
        return out;
    }

    private static NodeProto.Builder node(String op, String name, String... inputs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(Arrays.asList(inputs));
    }

    /** Adds tensor {@code <layer>.<param>} as a float32 graph initializer and returns its name. */
    private String floatInitializer(String layer, String param) {
        Tensor t = weights.get(layer, param);
        String name = Weights.key(layer, param);
        graph.addInitializer(tensor(name, TensorProto.DataType.FLOAT, floatBytes(t.data()), t.shape()));
        return name;
    }

    /** Adds a float32 scalar initializer {@code <layer>.<param>} and returns its name. */
    private String scalarInitializer(String layer, String param, float value) {
        String name = Weights.key(layer, param);
        graph.addInitializer(tensor(name, TensorProto.DataType.FLOAT, floatBytes(new float[] {value}), new int[0]));
        return name;
    }

    private static TensorProto tensor(String name, TensorProto.DataType type, byte[] raw, int[] shape) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (int d : shape) {
            tensor.addDims(d);
        }
        return tensor.build();
    }

    private static byte[] floatBytes(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** A float tensor of the network's per-example {@code shape}, with a symbolic batch dimension in front. */
    private static ValueInfoProto valueInfo(String name, Shape shape) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        long[] perExample = shape.flat() ? new long[] {shape.channels()}
                : new long[] {shape.channels(), shape.height(), shape.width()};
        for (long d : perExample) {
            dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(dims)))
                .build();
    }
}
