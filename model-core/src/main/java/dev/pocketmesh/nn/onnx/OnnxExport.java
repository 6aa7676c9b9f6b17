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
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link NetSpec} with its {@link Weights} as an ONNX model (fp32): the deployable form of every model the mesh
 * produces. One node per spec layer (a projection shortcut adds its Conv and BatchNormalization), so a pruned
 * spec exports as a physically smaller graph. Node outputs carry the layer names; initializers carry the weight
 * names ({@code <layer>.<param>}). The batch dimension is symbolic, so one file serves batch 1 and larger batches.
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
    private static final float BN_EPSILON = 1e-5f; // the value the DJL builder uses (PyTorch's default)

    private OnnxExport() {
    }

    /** The serialized ONNX model. */
    public static byte[] fp32(NetSpec spec, Weights weights) {
        return model(spec, weights).toByteArray();
    }

    static ModelProto model(NetSpec spec, Weights weights) {
        ShapeInference.infer(spec); // refuse an invalid network before writing anything
        GraphProto.Builder graph = GraphProto.newBuilder().setName(spec.name());
        graph.addInput(valueInfo(INPUT, spec.input()));
        String x = INPUT;
        List<Layer> layers = spec.layers();
        for (int i = 0; i < layers.size(); i++) {
            // The last layer writes the graph output, so every model's output has the same name.
            Layer layer = layers.get(i);
            x = addLayer(graph, weights, layer, x, i == layers.size() - 1 ? OUTPUT : layer.name());
        }
        graph.addOutput(valueInfo(OUTPUT, Shape.features(spec.numClasses())));
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("pocketmesh")
                .setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .build();
    }

    /** Adds the nodes of one layer reading tensor {@code x} and writing tensor {@code out}; returns {@code out}. */
    private static String addLayer(GraphProto.Builder graph, Weights weights, Layer layer, String x, String out) {
        String name = layer.name();
        NodeProto.Builder node;
        if (layer instanceof Layer.Conv2d c) {
            node = conv(graph, weights, c, x);
        } else if (layer instanceof Layer.BatchNorm bn) {
            node = batchNorm(graph, weights, bn.name(), x);
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
            node = node("Gemm", name, x, initializer(graph, weights, name, Weights.WEIGHT))
                    .addAttribute(AttributeProto.newBuilder().setName("transB")
                            .setType(AttributeProto.AttributeType.INT).setI(1));
            if (l.bias()) {
                node.addInput(initializer(graph, weights, name, Weights.BIAS));
            }
        } else if (layer instanceof Layer.Add add) {
            String other = add.from();
            if (add.shortcut() != null) {
                graph.addNode(conv(graph, weights, add.shortcut().conv(), other).addOutput(add.shortcut().conv().name()));
                other = add.shortcut().conv().name();
                if (add.shortcut().bn() != null) {
                    String bn = add.shortcut().bn().name();
                    graph.addNode(batchNorm(graph, weights, bn, other).addOutput(bn));
                    other = bn;
                }
            }
            node = node("Add", name, x, other);
        } else {
            throw new IllegalArgumentException("no ONNX export for layer type " + layer.getClass().getSimpleName());
        }
        graph.addNode(node.addOutput(out));
        return out;
    }

    private static NodeProto.Builder conv(GraphProto.Builder graph, Weights weights, Layer.Conv2d c, String x) {
        NodeProto.Builder node = node("Conv", c.name(), x, initializer(graph, weights, c.name(), Weights.WEIGHT))
                .addAttribute(ints("kernel_shape", c.kernel(), c.kernel()))
                .addAttribute(ints("strides", c.stride(), c.stride()))
                .addAttribute(ints("pads", c.padding(), c.padding(), c.padding(), c.padding()))
                .addAttribute(AttributeProto.newBuilder().setName("group")
                        .setType(AttributeProto.AttributeType.INT).setI(c.groups()));
        if (c.bias()) {
            node.addInput(initializer(graph, weights, c.name(), Weights.BIAS));
        }
        return node;
    }

    private static NodeProto.Builder batchNorm(GraphProto.Builder graph, Weights weights, String name, String x) {
        return node("BatchNormalization", name, x,
                initializer(graph, weights, name, Weights.GAMMA),
                initializer(graph, weights, name, Weights.BETA),
                initializer(graph, weights, name, Weights.RUNNING_MEAN),
                initializer(graph, weights, name, Weights.RUNNING_VAR))
                .addAttribute(AttributeProto.newBuilder().setName("epsilon")
                        .setType(AttributeProto.AttributeType.FLOAT).setF(BN_EPSILON));
    }

    private static NodeProto.Builder node(String op, String name, String... inputs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(Arrays.asList(inputs));
    }

    /** Adds tensor {@code <layer>.<param>} as a graph initializer and returns its name. */
    private static String initializer(GraphProto.Builder graph, Weights weights, String layer, String param) {
        Tensor t = weights.get(layer, param);
        String name = Weights.key(layer, param);
        ByteBuffer bytes = ByteBuffer.allocate(t.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(t.data());
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (int d : t.shape()) {
            tensor.addDims(d);
        }
        graph.addInitializer(tensor);
        return name;
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
