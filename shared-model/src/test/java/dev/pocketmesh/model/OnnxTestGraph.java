package dev.pocketmesh.model;

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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Writes small ONNX graphs the way exporters do, with the protobuf builders: tests use it for graphs shaped "as
 * PyTorch exports them" and for broken ones. Node and tensor names are the caller's.
 */
public final class OnnxTestGraph {
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test-graph");
    private final SplittableRandom random;
    private final java.util.List<NodeProto.Builder> nodes = new java.util.ArrayList<>();
    private int opset = 17;

    /** A graph whose float input {@code name} has a symbolic batch dimension and the given per-example dims. */
    public OnnxTestGraph(String name, long seed, long... perExample) {
        this.random = new SplittableRandom(seed);
        graph.addInput(valueInfo(name, perExample));
    }

    public OnnxTestGraph opset(int version) {
        this.opset = version;
        return this;
    }

    /** A float initializer of random values (N(0, scale^2)). */
    public String random(String name, double scale, int... shape) {
        float[] values = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return floats(name, shape, values);
    }

    /** A float initializer of values in [lo, hi) (e.g. BN variances, which must be positive). */
    public String uniform(String name, double lo, double hi, int... shape) {
        float[] values = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(lo, hi);
        }
        return floats(name, shape, values);
    }

    /** A float initializer stored as raw little-endian bytes, as PyTorch writes them. */
    public String floats(String name, int[] shape, float... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(raw.array()));
        Arrays.stream(shape).forEach(t::addDims);
        graph.addInitializer(t);
        return name;
    }

    /** An int64 initializer (e.g. a Reshape's target shape), stored in int64_data. */
    public String int64s(String name, long... values) {
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).addAllInt64Data(Arrays.stream(values).boxed().toList()));
        return name;
    }

    /** A Constant node holding one float (how PyTorch writes Clip's bounds). */
    public String constant(String name, float value) {
        nodes.add(NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(name)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE)
                                .addFloatData(value))));
        return name;
    }

    /** Adds a node writing {@code output}; attributes go on the returned builder before {@link #bytes()}. */
    public NodeProto.Builder node(String op, String name, String output, String... inputs) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output)
                .addAllInput(Arrays.asList(inputs));
        nodes.add(node);
        return node;
    }

    public static AttributeProto ints(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).boxed().toList()).build();
    }

    public static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto floating(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    /** Declares the graph output and serializes the model. */
    public byte[] bytes(String output, long... perExample) {
        nodes.forEach(graph::addNode);
        graph.addOutput(valueInfo(output, perExample));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch").setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build()
                .toByteArray();
    }

    private static ValueInfoProto valueInfo(String name, long... perExample) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch_size"));
        for (long d : perExample) {
            dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(dims))).build();
    }
    // ---- graphs as exporters write them ----

    /**
     * A small ResNet as {@code torch.onnx.export} writes it (opset 17, names like "/layer1/Add"): stem Conv with bias
     * and an unfolded BatchNormalization (epsilon 1e-3), a block of depthwise Conv + BN + Clip(0, none) with its
     * bounds as inputs (opset 11+) + pointwise Conv + BN + identity Add, a strided block with a Conv + BN projection
     * shortcut written after the main path (torchvision's downsample), MaxPool, Flatten, Gemm (transB = 1) + ReLU6, and
     * a MatMul + Add bias head (how tf2onnx writes a Dense layer). Input "x" [N, 1, 12, 12], output "output" [N, 10].
     */
    public static byte[] pytorchStyleResNet(long seed) {
        OnnxTestGraph g = new OnnxTestGraph("x", seed, 1, 12, 12);
        String x = g.conv("/conv1/Conv", "conv1", "x", 1, 8, 3, 1, 1, 1, true);
        x = g.batchNorm("/bn1/BatchNormalization", "bn1", x, 8, 1e-3f);
        String stem = g.relu("/relu/Relu", x);
        x = g.conv("/layer1/dw/Conv", "layer1.dw", stem, 8, 8, 3, 1, 1, 8, false);
        x = g.batchNorm("/layer1/dw_bn/BatchNormalization", "layer1.dw_bn", x, 8, 1e-5f);
        String min = g.constant("/layer1/act/Constant_output_0", 0f);
        g.node("Clip", "/layer1/act/Clip", "/layer1/act/Clip_output_0", x, min, "");
        x = g.conv("/layer1/pw/Conv", "layer1.pw", "/layer1/act/Clip_output_0", 8, 8, 1, 1, 0, 1, false);
        x = g.batchNorm("/layer1/pw_bn/BatchNormalization", "layer1.pw_bn", x, 8, 1e-5f);
        g.node("Add", "/layer1/Add", "/layer1/Add_output_0", x, stem);
        String block1 = g.relu("/layer1/relu/Relu", "/layer1/Add_output_0");
        x = g.conv("/layer2/conv1/Conv", "layer2.conv1", block1, 8, 16, 3, 2, 1, 1, false);
        x = g.batchNorm("/layer2/bn1/BatchNormalization", "layer2.bn1", x, 16, 1e-5f);
        x = g.relu("/layer2/relu/Relu", x);
        x = g.conv("/layer2/conv2/Conv", "layer2.conv2", x, 16, 16, 3, 1, 1, 1, false);
        String main = g.batchNorm("/layer2/bn2/BatchNormalization", "layer2.bn2", x, 16, 1e-5f);
        x = g.conv("/layer2/downsample/downsample.0/Conv", "layer2.downsample.0", block1, 8, 16, 1, 2, 0, 1, false);
        String shortcut = g.batchNorm("/layer2/downsample/downsample.1/BatchNormalization", "layer2.downsample.1", x,
                16, 1e-5f);
        g.node("Add", "/layer2/Add", "/layer2/Add_output_0", main, shortcut);
        x = g.relu("/layer2/relu_1/Relu", "/layer2/Add_output_0");
        g.node("MaxPool", "/pool/MaxPool", "/pool/MaxPool_output_0", x).addAttribute(integer("ceil_mode", 0))
                .addAttribute(ints("kernel_shape", 2, 2)).addAttribute(ints("pads", 0, 0, 0, 0))
                .addAttribute(ints("strides", 2, 2));
        g.node("Flatten", "/Flatten", "/Flatten_output_0", "/pool/MaxPool_output_0").addAttribute(integer("axis", 1));
        g.node("Gemm", "/fc1/Gemm", "/fc1/Gemm_output_0", "/Flatten_output_0", g.random("fc1.weight", 0.1, 32, 144),
                g.random("fc1.bias", 0.1, 32)).addAttribute(floating("alpha", 1f)).addAttribute(floating("beta", 1f))
                .addAttribute(integer("transB", 1));
        // ReLU6 as torch.nn.ReLU6 exports it: Clip with its bounds as Constant inputs.
        x = "/relu6/Clip_output_0";
        g.node("Clip", "/relu6/Clip", x, "/fc1/Gemm_output_0", g.constant("/relu6/Constant_output_0", 0f),
                g.constant("/relu6/Constant_1_output_0", 6f));
        g.node("MatMul", "/fc2/MatMul", "/fc2/MatMul_output_0", x, g.random("fc2.weight", 0.2, 32, 10));
        g.node("Add", "/fc2/Add", "output", "/fc2/MatMul_output_0", g.random("fc2.bias", 0.1, 10));
        return g.bytes("output", 10);
    }

    /**
     * A plain CNN with the other supported forms: Conv with auto_pad VALID, Clip(0, 0.5), AveragePool, GlobalAveragePool, Reshape
     * to [0, -1] with a shape initializer, Identity and Dropout (no-ops at inference), Gemm with transB = 0 and alpha
     * / beta, and optionally a trailing Softmax. Input "images" [N, 3, 8, 8], output "probs" or "scores" [N, 5].
     */
    public static byte[] plainCnn(long seed, boolean softmax) {
        OnnxTestGraph g = new OnnxTestGraph("images", seed, 3, 8, 8);
        g.node("Conv", "conv", "c", "images", g.random("conv.w", 0.3, 4, 3, 3, 3), g.random("conv.b", 0.1, 4))
                .addAttribute(AttributeProto.newBuilder().setName("auto_pad")
                        .setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("VALID")));
        // A ReLU capped at 0.5 (bounds as initializers), so the cap clips many values of this small net.
        g.node("Clip", "relu", "relu_out", "c", g.floats("clip.min", new int[0], 0f),
                g.floats("clip.max", new int[0], 0.5f));
        g.node("AveragePool", "avg", "a", "relu_out").addAttribute(ints("kernel_shape", 2, 2))
                .addAttribute(ints("strides", 2, 2));
        g.node("GlobalAveragePool", "gap", "gap_out", "a");
        g.node("Reshape", "reshape", "flat", "gap_out", g.int64s("reshape.shape", 0, -1));
        g.node("Identity", "identity", "same", "flat");
        g.node("Dropout", "dropout", "dropped", "same");
        g.node("Gemm", "head", softmax ? "scores" : "probs", "dropped", g.random("head.w", 0.5, 4, 5),
                g.random("head.b", 0.1, 5)).addAttribute(floating("alpha", 0.5f)).addAttribute(floating("beta", 2f));
        if (softmax) {
            g.node("Softmax", "softmax", "probs", "scores").addAttribute(integer("axis", 1));
        }
        return g.bytes("probs", 5);
    }

    /** Conv node with weight {@code <prefix>.weight} (and {@code .bias}); returns its output. */
    public String conv(String node, String prefix, String in, int cin, int cout, int k, int stride, int pad,
            int groups, boolean bias) {
        String out = node + "_output_0";
        String w = random(prefix + ".weight", Math.sqrt(2.0 / (cin / groups * k * k)), cout, cin / groups, k, k);
        NodeProto.Builder conv = bias ? node("Conv", node, out, in, w, random(prefix + ".bias", 0.1, cout))
                : node("Conv", node, out, in, w);
        conv.addAttribute(ints("dilations", 1, 1)).addAttribute(integer("group", groups))
                .addAttribute(ints("kernel_shape", k, k)).addAttribute(ints("pads", pad, pad, pad, pad))
                .addAttribute(ints("strides", stride, stride));
        return out;
    }

    /** BatchNormalization node with random statistics; returns its output. */
    public String batchNorm(String node, String prefix, String in, int channels, float epsilon) {
        String out = node + "_output_0";
        node("BatchNormalization", node, out, in, uniform(prefix + ".weight", 0.5, 1.5, channels),
                random(prefix + ".bias", 0.1, channels), random(prefix + ".running_mean", 0.1, channels),
                uniform(prefix + ".running_var", 0.5, 1.5, channels))
                .addAttribute(floating("epsilon", epsilon)).addAttribute(floating("momentum", 0.9f));
        return out;
    }

    public String relu(String node, String in) {
        String out = node.contains("/") ? node + "_output_0" : node + "_out";
        node("Relu", node, out, in);
        return out;
    }
}
