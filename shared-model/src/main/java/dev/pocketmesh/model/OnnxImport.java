package dev.pocketmesh.model;

import static dev.pocketmesh.model.WeightNames.BETA;
import static dev.pocketmesh.model.WeightNames.BIAS;
import static dev.pocketmesh.model.WeightNames.GAMMA;
import static dev.pocketmesh.model.WeightNames.RUNNING_MEAN;
import static dev.pocketmesh.model.WeightNames.RUNNING_VAR;
import static dev.pocketmesh.model.WeightNames.WEIGHT;
import static dev.pocketmesh.model.WeightNames.key;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A CNN exported to ONNX (by PyTorch, by tf2onnx, or by the mesh's own exporter) as a {@link NetSpec} with its
 * weights, so a user's model is compressed like a zoo model. The graph must be what a NetSpec expresses: a chain of
 * layers plus residual Adds, whose second addend is an earlier tensor, directly or through a Conv (+
 * BatchNormalization) projection; the residual groups channel pruning keeps equal are derived from those Adds.
 *
 * <p>Operators: Conv (2-D, square kernel, equal strides and pads, groups incl. depthwise, no dilation),
 * BatchNormalization (kept as a layer; its epsilon moves into the running variance, since the builder uses
 * {@link Layer.BatchNorm#EPSILON}),
 * Relu, Clip(0, none) as Relu and Clip(0, c) as a ReLU capped at c (ReLU6), Add (residual, or a constant bias right after MatMul / Gemm / Conv), MaxPool and
 * AveragePool (no padding), GlobalAveragePool, Flatten (axis 1), Reshape to [N, -1] with a constant shape, Gemm,
 * MatMul with a constant weight, and the no-ops Identity, Dropout, single-input Concat and a trailing Softmax /
 * LogSoftmax (the network outputs logits; the class a softmax would pick is the same). Anything else is refused
 * naming the operator and its node; so is a broken graph (an input nothing defines, a cycle, a weight of the wrong
 * rank or shape).
 *
 * <p>Layer names are the node names with every character other than letters, digits, '.', '_' and '-' turned into
 * '.', so a model exported by the mesh comes back with its own layer names; weights are named
 * {@code <layer>.<param>} like the exporter's initializers.
 */
public final class OnnxImport {
    static final List<String> SUPPORTED = List.of("Conv", "BatchNormalization", "Relu", "Clip", "Add", "MaxPool",
            "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Gemm", "MatMul", "Concat", "Identity",
            "Dropout", "Softmax", "LogSoftmax", "Constant");

    /** The inputs of each operator that must be constants (weights, bounds, target shapes). */
    private static final Map<String, List<Integer>> WEIGHT_INPUTS = Map.of("Conv", List.of(1, 2),
            "BatchNormalization", List.of(1, 2, 3, 4), "Gemm", List.of(1, 2), "MatMul", List.of(1),
            "Clip", List.of(1, 2), "Reshape", List.of(1));

    /** One float tensor of the imported weights, row-major. */
    public record Weight(int[] shape, float[] values) {
    }

    /** The network and its weights by {@code <layer>.<param>}, in layer order. */
    public record Imported(NetSpec net, Map<String, Weight> weights) {
    }

    private OnnxImport() {
    }

    /**
     * Reads and imports an .onnx file; the network is named after the file.
     *
     * @throws OnnxImportException when the file cannot be read, is not ONNX, or holds a graph that cannot be imported
     */
    public static Imported read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new OnnxImportException("cannot read " + file + ": " + e.getMessage());
        }
        String name = file.getFileName().toString().replaceFirst("(?i)\\.onnx$", "");
        return read(bytes, name);
    }

    /** Imports a serialized ONNX model as the network {@code name}. */
    public static Imported read(byte[] bytes, String name) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException("not an ONNX model (the protobuf cannot be parsed: " + e.getMessage() + ")");
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new OnnxImportException("not an ONNX model: it has no graph nodes");
        }
        return new Converter(model, name).convert();
    }

    /** Converts one graph; holds the state of the walk along its chain. */
    private static final class Converter {
        private final GraphProto graph;
        private final String netName;
        private final int opset;
        private final Map<String, TensorProto> constants = new HashMap<>();
        private final Map<String, Integer> producer = new HashMap<>(); // value -> index of the node writing it
        private final Map<String, String> alias = new HashMap<>(); // output of a no-op node -> its input
        private final Map<String, String> layerOf = new HashMap<>(); // value -> layer whose output it is
        private final Map<String, Shape> shapes = new HashMap<>(); // layer -> output shape
        private final Set<Integer> shortcutNodes = new HashSet<>(); // Conv/BN nodes folded into a residual Add
        private final Set<String> names = new HashSet<>(Set.of(NetSpec.INPUT));
        private final List<Layer> layers = new ArrayList<>();
        private final Map<String, Weight> weights = new LinkedHashMap<>();
        private String inputValue;
        private String outputValue;
        private String current; // the value the chain has reached
        private Shape shape; // its shape
        private long fixedBatch = -1; // the input's batch size when the graph fixes it (exported without dynamic axes)

        Converter(ModelProto model, String name) {
            this.graph = model.getGraph();
            this.netName = name == null || name.isBlank() ? (graph.getName().isBlank() ? "onnx-model" : graph.getName())
                    : name;
            int version = 0;
            for (OperatorSetIdProto set : model.getOpsetImportList()) {
                if (set.getDomain().isEmpty() || set.getDomain().equals("ai.onnx")) {
                    version = (int) set.getVersion();
                }
            }
            this.opset = version;
        }

        Imported convert() {
            checkOperators();
            for (TensorProto t : graph.getInitializerList()) {
                constants.put(t.getName(), t);
            }
            for (int i = 0; i < graph.getNodeCount(); i++) {
                NodeProto node = graph.getNode(i);
                if (node.getOpType().equals("Constant")) {
                    constants.put(node.getOutput(0), constantValue(i, node));
                }
                for (String out : node.getOutputList()) {
                    if (!out.isEmpty() && (producer.put(out, i) != null || constants.containsKey(out)
                            && !node.getOpType().equals("Constant"))) {
                        throw broken(i, "writes tensor '" + out + "', which another node or initializer also defines");
                    }
                }
            }
            readInputAndOutput();
            List<Integer> order = liveNodesInOrder();
            for (int i : order) {
                checkWeightInputs(i, graph.getNode(i));
                noOpAlias(i, graph.getNode(i));
            }
            findShortcuts(order);
            current = inputValue;
            layerOf.put(inputValue, NetSpec.INPUT);
            shapes.put(NetSpec.INPUT, shape);
            for (int i : order) {
                if (!shortcutNodes.contains(i) && !alias.containsKey(graph.getNode(i).getOutput(0))) {
                    convertNode(i, graph.getNode(i));
                }
            }
            if (!resolve(outputValue).equals(current)) {
                throw new OnnxImportException("the graph output '" + outputValue + "' is not the end of the chain of "
                        + "layers (a NetSpec is a chain with residual adds; the last layer writes '" + current + "')");
            }
            if (!shape.flat()) {
                throw new OnnxImportException("the graph output '" + outputValue + "' is a feature map " + shape
                        + ", not [batch, classes] logits (end the network with Flatten and Gemm)");
            }
            return new Imported(checkedNet(), weights);
        }

        /** Every operator is checked before anything else, so an unsupported one is named even in a broken graph. */
        private void checkOperators() {
            for (int i = 0; i < graph.getNodeCount(); i++) {
                NodeProto node = graph.getNode(i);
                String domain = node.getDomain();
                if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
                    throw new OnnxImportException(describe(i, node) + ": operator " + domain + "." + node.getOpType()
                            + " is not supported (only the default ONNX domain is); supported: " + SUPPORTED);
                }
                if (!SUPPORTED.contains(node.getOpType())) {
                    throw new OnnxImportException(describe(i, node) + ": operator " + node.getOpType()
                            + " is not supported; supported: " + SUPPORTED);
                }
            }
        }

        private void readInputAndOutput() {
            List<ValueInfoProto> inputs = new ArrayList<>();
            for (ValueInfoProto in : graph.getInputList()) {
                if (!constants.containsKey(in.getName())) { // old exporters list initializers as inputs too
                    inputs.add(in);
                }
            }
            if (inputs.size() != 1) {
                throw new OnnxImportException("the graph must have exactly one input (the images), it has "
                        + inputs.stream().map(ValueInfoProto::getName).toList());
            }
            if (graph.getOutputCount() != 1) {
                throw new OnnxImportException("the graph must have exactly one output (the logits), it has "
                        + graph.getOutputList().stream().map(ValueInfoProto::getName).toList());
            }
            ValueInfoProto input = inputs.get(0);
            inputValue = input.getName();
            outputValue = graph.getOutput(0).getName();
            if (input.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
                throw new OnnxImportException("graph input '" + inputValue + "' must be a float32 tensor");
            }
            List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
            if (dims.size() != 4 && dims.size() != 2) {
                throw new OnnxImportException("graph input '" + inputValue + "' must be [batch, channels, height, "
                        + "width] or [batch, features], it has rank " + dims.size());
            }
            if (dims.get(0).hasDimValue() && dims.get(0).getDimValue() > 0) {
                fixedBatch = dims.get(0).getDimValue();
            }
            int[] perExample = new int[dims.size() - 1];
            for (int d = 1; d < dims.size(); d++) { // dimension 0 is the batch: fixed or symbolic, either is fine
                if (!dims.get(d).hasDimValue() || dims.get(d).getDimValue() < 1) {
                    throw new OnnxImportException("graph input '" + inputValue + "': dimension " + d + " must be a "
                            + "fixed size (only the batch may be symbolic), got '" + dims.get(d).getDimParam() + "'");
                }
                perExample[d - 1] = Math.toIntExact(dims.get(d).getDimValue());
            }
            shape = perExample.length == 1 ? Shape.features(perExample[0])
                    : Shape.chw(perExample[0], perExample[1], perExample[2]);
        }

        /**
         * The nodes the output depends on, in an order where each comes after the nodes it reads (nodes nothing reads,
         * like an unused MaxPool index output's, are left out). Refuses an input no one defines and a cycle.
         */
        private List<Integer> liveNodesInOrder() {
            Set<Integer> live = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(List.of(outputValue));
            if (!producer.containsKey(outputValue)) {
                throw new OnnxImportException("the graph output '" + outputValue + "' is written by no node");
            }
            while (!todo.isEmpty()) {
                Integer p = producer.get(todo.pop());
                if (p != null && live.add(p)) {
                    NodeProto node = graph.getNode(p);
                    for (String in : node.getInputList()) {
                        if (in.isEmpty() || in.equals(inputValue) || constants.containsKey(in)
                                && !producer.containsKey(in)) {
                            continue;
                        }
                        if (!producer.containsKey(in)) {
                            throw broken(p, "reads tensor '" + in + "', which is neither the graph input, an "
                                    + "initializer, a Constant nor any node's output");
                        }
                        todo.push(in);
                    }
                }
            }
            // Kahn's algorithm over the live nodes: what is left over lies on a cycle.
            Map<Integer, Integer> pending = new HashMap<>();
            Map<Integer, List<Integer>> readers = new HashMap<>();
            for (int i : live) {
                int count = 0;
                for (String in : graph.getNode(i).getInputList()) {
                    Integer p = producer.get(in);
                    if (p != null && live.contains(p) && !graph.getNode(p).getOpType().equals("Constant")) {
                        count++;
                        readers.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
                    }
                }
                pending.put(i, count);
            }
            java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>(); // file order among the ready
            pending.forEach((i, c) -> {
                if (c == 0) {
                    ready.add(i);
                }
            });
            List<Integer> order = new ArrayList<>();
            while (!ready.isEmpty()) {
                int i = ready.poll();
                order.add(i);
                for (int r : readers.getOrDefault(i, List.of())) {
                    if (pending.merge(r, -1, Integer::sum) == 0) {
                        ready.add(r);
                    }
                }
            }
            if (order.size() < live.size()) {
                int stuck = live.stream().filter(i -> !order.contains(i)).min(Integer::compare).orElseThrow();
                throw broken(stuck, "lies on a cycle (it depends, through other nodes, on its own output)");
            }
            order.removeIf(i -> graph.getNode(i).getOpType().equals("Constant"));
            return order;
        }

        /** A weight a node computes at run time would be a branch of the graph; refuse it before walking the chain. */
        private void checkWeightInputs(int i, NodeProto node) {
            for (int index : WEIGHT_INPUTS.getOrDefault(node.getOpType(), List.of())) {
                if (index < node.getInputCount() && !node.getInput(index).isEmpty()) {
                    constant(i, node, index);
                }
            }
        }

        /** Nodes that compute nothing at inference: their output is their input. */
        private void noOpAlias(int i, NodeProto node) {
            String op = node.getOpType();
            boolean noOp = switch (op) {
                case "Identity", "Dropout" -> true;
                case "Concat" -> dataInputs(node).size() == 1;
                case "Softmax", "LogSoftmax" -> node.getOutput(0).equals(outputValue);
                default -> false;
            };
            if (op.equals("Softmax") || op.equals("LogSoftmax")) {
                if (!noOp) {
                    throw new OnnxImportException(describe(i, node) + ": operator " + op + " is only supported as "
                            + "the last node (it is then dropped: the network outputs logits)");
                }
            }
            if (op.equals("Concat") && !noOp) {
                throw new OnnxImportException(describe(i, node) + ": operator Concat of " + dataInputs(node).size()
                        + " tensors cannot be expressed: a NetSpec is a chain of layers with residual adds, it has no "
                        + "concatenation");
            }
            if (op.equals("Dropout") && node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()
                    && isRead(node.getOutput(1))) {
                throw new OnnxImportException(describe(i, node) + ": the mask output of Dropout is read by another "
                        + "node; only inference graphs are supported");
            }
            if (noOp) {
                alias.put(node.getOutput(0), node.getInput(0));
            }
        }

        private boolean isRead(String value) {
            for (NodeProto n : graph.getNodeList()) {
                if (n.getInputList().contains(value)) {
                    return true;
                }
            }
            return value.equals(outputValue);
        }

        private String resolve(String value) {
            String v = value;
            while (alias.containsKey(v)) {
                v = alias.get(v);
            }
            return v;
        }

        private List<String> dataInputs(NodeProto node) {
            List<String> out = new ArrayList<>();
            for (String in : node.getInputList()) {
                if (!in.isEmpty() && !constants.containsKey(in)) {
                    out.add(in);
                }
            }
            return out;
        }

        /**
         * Marks the projection shortcuts: for an Add of two computed tensors, an addend written by a Conv (or by a
         * BatchNormalization of a Conv's output) whose input is an earlier tensor the other addend is computed from.
         * Those nodes become the Add's {@link Layer.Shortcut} instead of joining the chain. PyTorch writes the
         * shortcut as the Add's second addend, so that side is tried first.
         */
        private void findShortcuts(List<Integer> order) {
            for (int i : order) {
                NodeProto node = graph.getNode(i);
                if (!node.getOpType().equals("Add") || dataInputs(node).size() != 2) {
                    continue;
                }
                String a = resolve(node.getInput(0));
                String b = resolve(node.getInput(1));
                List<Integer> path = shortcutPath(b, a);
                if (path.isEmpty()) {
                    path = shortcutPath(a, b);
                }
                shortcutNodes.addAll(path);
            }
        }

        /** The Conv (+ BN) nodes writing {@code side} when they form a projection of an ancestor of {@code other}. */
        private List<Integer> shortcutPath(String side, String other) {
            Integer p = producer.get(side);
            if (p == null || readers(side) != 1) {
                return List.of();
            }
            List<Integer> path = new ArrayList<>();
            if (graph.getNode(p).getOpType().equals("BatchNormalization")) {
                path.add(p);
                String bnIn = resolve(graph.getNode(p).getInput(0));
                p = producer.get(bnIn);
                if (p == null || readers(bnIn) != 1) {
                    return List.of();
                }
            }
            if (!graph.getNode(p).getOpType().equals("Conv")) {
                return List.of();
            }
            path.add(0, p);
            String from = resolve(graph.getNode(p).getInput(0));
            return !from.equals(other) && dependsOn(other, from) ? path : List.of();
        }

        private int readers(String value) {
            int n = 0;
            for (NodeProto node : graph.getNodeList()) {
                for (String in : node.getInputList()) {
                    if (resolve(in).equals(value) && !alias.containsKey(node.getOutput(0))) {
                        n++;
                    }
                }
            }
            return n;
        }

        private boolean dependsOn(String value, String ancestor) {
            Deque<String> todo = new ArrayDeque<>(List.of(value));
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                String v = resolve(todo.pop());
                if (v.equals(ancestor)) {
                    return true;
                }
                Integer p = producer.get(v);
                if (p != null && seen.add(v)) {
                    graph.getNode(p).getInputList().forEach(todo::push);
                }
            }
            return false;
        }

        private void convertNode(int i, NodeProto node) {
            switch (node.getOpType()) {
                case "Conv" -> chain(i, node, () -> conv(i, node, layerName(i, node)));
                case "BatchNormalization" -> chain(i, node, () -> batchNorm(i, node, layerName(i, node)));
                case "Relu" -> chain(i, node, () -> new Layer.Relu(layerName(i, node)));
                case "Clip" -> chain(i, node, () -> clip(i, node));
                case "MaxPool", "AveragePool" -> chain(i, node, () -> pool(i, node));
                case "GlobalAveragePool" -> chain(i, node, () -> new Layer.GlobalAvgPool(layerName(i, node)));
                case "Flatten" -> chain(i, node, () -> flatten(i, node));
                case "Reshape" -> chain(i, node, () -> reshape(i, node));
                case "Gemm" -> chain(i, node, () -> gemm(i, node));
                case "MatMul" -> chain(i, node, () -> matMul(i, node));
                case "Add" -> add(i, node);
                default -> throw new OnnxImportException(describe(i, node) + ": operator " + node.getOpType()
                        + " is not supported; supported: " + SUPPORTED);
            }
        }

        /** Appends a layer that reads the chain's tensor (the node's first input) and writes the node's output. */
        private void chain(int i, NodeProto node, java.util.function.Supplier<Layer> layer) {
            requireOnChain(i, node, node.getInput(0));
            append(layer.get(), node.getOutput(0));
        }

        private void append(Layer layer, String output) {
            try {
                shape = ShapeInference.step(layer, shape, shapes);
            } catch (NetSpecException e) {
                throw new OnnxImportException("the imported network is invalid: " + e.getMessage());
            }
            layers.add(layer);
            shapes.put(layer.name(), shape);
            layerOf.put(output, layer.name());
            current = output;
        }

        private void requireOnChain(int i, NodeProto node, String value) {
            if (!resolve(value).equals(current)) {
                throw new OnnxImportException(describe(i, node) + " reads '" + value + "', not the output of the "
                        + "previous layer ('" + current + "'): the graph branches in a way a NetSpec cannot express "
                        + "(only a residual Add may read an earlier tensor, directly or through a Conv + "
                        + "BatchNormalization projection)");
            }
        }

        private Layer.Conv2d conv(int i, NodeProto node, String name) {
            Weight w = weight(i, node, 1, 4);
            int[] s = w.shape();
            if (s[2] != s[3]) {
                throw unsupported(i, node, "a " + s[2] + "x" + s[3] + " kernel is not square");
            }
            long[] dilations = ints(node, "dilations", 1, 1);
            if (Arrays.stream(dilations).anyMatch(d -> d != 1)) {
                throw unsupported(i, node, "dilations " + Arrays.toString(dilations) + " (only 1 is supported)");
            }
            long[] kernel = ints(node, "kernel_shape", s[2], s[3]);
            if (kernel.length != 2 || kernel[0] != s[2] || kernel[1] != s[3]) {
                throw broken(i, "kernel_shape " + Arrays.toString(kernel) + " differs from its weight's "
                        + Arrays.toString(s));
            }
            int stride = equalPair(i, node, "strides", ints(node, "strides", 1, 1));
            int padding = convPadding(i, node, s[2], stride);
            int groups = (int) integer(node, "group", 1);
            int out = s[0];
            int in = s[1] * groups;
            boolean bias = node.getInputCount() > 2 && !node.getInput(2).isEmpty();
            Layer.Conv2d conv;
            try {
                conv = new Layer.Conv2d(name, in, out, s[2], stride, padding, groups, bias);
            } catch (IllegalArgumentException e) {
                throw broken(i, e.getMessage());
            }
            weights.put(key(name, WEIGHT), w);
            if (bias) {
                weights.put(key(name, BIAS), vector(i, node, 2, out));
            }
            return conv;
        }

        private int convPadding(int i, NodeProto node, int kernel, int stride) {
            String autoPad = text(node, "auto_pad", "NOTSET");
            switch (autoPad) {
                case "NOTSET" -> {
                    return equalPads(i, node);
                }
                case "VALID" -> {
                    return 0;
                }
                case "SAME_UPPER", "SAME_LOWER" -> {
                    if (stride == 1 && kernel % 2 == 1) {
                        return (kernel - 1) / 2;
                    }
                    throw unsupported(i, node, "auto_pad " + autoPad + " with stride " + stride + " and kernel "
                            + kernel + " pads unevenly (NetSpec convs pad every side equally)");
                }
                default -> throw broken(i, "unknown auto_pad '" + autoPad + "'");
            }
        }

        private int equalPads(int i, NodeProto node) {
            long[] pads = ints(node, "pads", 0, 0, 0, 0);
            if (pads.length != 4 || Arrays.stream(pads).anyMatch(p -> p != pads[0])) {
                throw unsupported(i, node, "pads " + Arrays.toString(pads) + " (NetSpec convs pad every side equally)");
            }
            return (int) pads[0];
        }

        private Layer.BatchNorm batchNorm(int i, NodeProto node, String name) {
            if (node.getInputCount() != 5) {
                throw broken(i, "BatchNormalization needs 5 inputs (X, scale, B, mean, var), it has "
                        + node.getInputCount());
            }
            if (integer(node, "training_mode", 0) != 0) {
                throw unsupported(i, node, "training_mode 1 (only inference graphs are supported)");
            }
            for (int o = 1; o < node.getOutputCount(); o++) {
                if (!node.getOutput(o).isEmpty() && isRead(node.getOutput(o))) {
                    throw unsupported(i, node, "training-mode outputs (running statistics) are read");
                }
            }
            Weight gamma = weight(i, node, 1, 1);
            int channels = gamma.shape()[0];
            Weight beta = vector(i, node, 2, channels);
            Weight mean = vector(i, node, 3, channels);
            Weight var = vector(i, node, 4, channels);
            // The builder divides by sqrt(var + its epsilon); shifting var by the difference gives the same output.
            double epsilon = floating(node, "epsilon", 1e-5);
            float[] shifted = var.values().clone();
            for (int c = 0; c < channels; c++) {
                shifted[c] = (float) (shifted[c] + epsilon - Layer.BatchNorm.EPSILON);
            }
            weights.put(key(name, GAMMA), gamma);
            weights.put(key(name, BETA), beta);
            weights.put(key(name, RUNNING_MEAN), mean);
            weights.put(key(name, RUNNING_VAR), new Weight(var.shape(), shifted));
            return new Layer.BatchNorm(name, channels);
        }

        /** Clip(0, +inf) is a ReLU; other bounds have no NetSpec layer. */
        private Layer clip(int i, NodeProto node) {
            double min;
            double max;
            if (opset > 0 && opset < 11) {
                min = floating(node, "min", Double.NEGATIVE_INFINITY);
                max = floating(node, "max", Double.POSITIVE_INFINITY);
            } else {
                min = scalarInput(i, node, 1, Double.NEGATIVE_INFINITY);
                max = scalarInput(i, node, 2, Double.POSITIVE_INFINITY);
            }
            if (min == 0 && max == Double.POSITIVE_INFINITY) {
                return new Layer.Relu(layerName(i, node));
            }
            if (min == 0 && max > 0 && Double.isFinite(max)) {
                return new Layer.Relu(layerName(i, node), max); // ReLU6 at max = 6
            }
            throw unsupported(i, node, "Clip(" + min + ", " + max + ") has no NetSpec layer (Clip(0, none) is a ReLU, "
                    + "Clip(0, c) a ReLU capped at c such as ReLU6; other bounds are not supported)");
        }

        private double scalarInput(int i, NodeProto node, int index, double absent) {
            if (node.getInputCount() <= index || node.getInput(index).isEmpty()) {
                return absent;
            }
            Weight w = constant(i, node, index);
            if (w.values().length != 1) {
                throw broken(i, "input " + index + " ('" + node.getInput(index) + "') must be a scalar, it has shape "
                        + Arrays.toString(w.shape()));
            }
            return w.values()[0];
        }

        private Layer pool(int i, NodeProto node) {
            String name = layerName(i, node);
            long[] kernel = ints(node, "kernel_shape");
            if (kernel == null) {
                throw broken(i, "has no kernel_shape");
            }
            int k = equalPair(i, node, "kernel_shape", kernel);
            int stride = equalPair(i, node, "strides", ints(node, "strides", 1, 1));
            String autoPad = text(node, "auto_pad", "NOTSET");
            long[] pads = ints(node, "pads", 0, 0, 0, 0);
            if (!autoPad.equals("VALID") && (!autoPad.equals("NOTSET") || Arrays.stream(pads).anyMatch(p -> p != 0))) {
                throw unsupported(i, node, "padding (pads " + Arrays.toString(pads) + ", auto_pad " + autoPad
                        + "): NetSpec pools do not pad");
            }
            long[] dilations = ints(node, "dilations", 1, 1);
            if (Arrays.stream(dilations).anyMatch(d -> d != 1)) {
                throw unsupported(i, node, "dilations " + Arrays.toString(dilations) + " (only 1 is supported)");
            }
            if (integer(node, "ceil_mode", 0) != 0 && !shape.flat()
                    && ((shape.height() - k) % stride != 0 || (shape.width() - k) % stride != 0)) {
                throw unsupported(i, node, "ceil_mode 1 changes the output size here (NetSpec pools round down)");
            }
            return node.getOpType().equals("MaxPool") ? new Layer.MaxPool(name, k, stride)
                    : new Layer.AvgPool(name, k, stride);
        }

        private Layer flatten(int i, NodeProto node) {
            long axis = integer(node, "axis", 1);
            int rank = shape.flat() ? 2 : 4;
            if (axis != 1 && axis != 1 - rank) {
                throw unsupported(i, node, "axis " + axis + " (only axis 1, [batch, features], is supported)");
            }
            return new Layer.Flatten(layerName(i, node));
        }

        /** A Reshape to [batch, -1] (or [batch, features]) with a constant target shape: a Flatten. */
        private Layer reshape(int i, NodeProto node) {
            if (node.getInputCount() < 2 || !constants.containsKey(node.getInput(1))) {
                throw unsupported(i, node, "the target shape must be an initializer or Constant (export "
                        + "torch.flatten(x, 1) or a fixed shape, not one computed from x.size())");
            }
            long[] target = longs(i, node.getInput(1), constants.get(node.getInput(1)));
            long features = shape.elements();
            // The batch is copied (0), inferred (-1 with the features given) or the graph's fixed batch size, which
            // PyTorch writes for x.view(x.size(0), -1) when exported without dynamic axes.
            boolean batchFirst = target.length == 2 && (target[0] == 0 || target[0] == fixedBatch
                    || target[0] == -1 && target[1] == features);
            if (!batchFirst || target[1] != -1 && target[1] != features) {
                throw unsupported(i, node, "target shape " + Arrays.toString(target) + " (only [N, -1] that flattens "
                        + shape + " to [N, " + features + "] is supported)");
            }
            return new Layer.Flatten(layerName(i, node));
        }

        /** Gemm(A, B, C) = alpha A B' + beta C with B' = B or its transpose: a Linear with weight alpha B'^T. */
        private Layer gemm(int i, NodeProto node) {
            if (integer(node, "transA", 0) != 0) {
                throw unsupported(i, node, "transA 1 (the input must be [batch, features])");
            }
            Weight b = weight(i, node, 1, 2);
            Weight w = integer(node, "transB", 0) != 0 ? b : transpose(b);
            float alpha = (float) floating(node, "alpha", 1);
            if (alpha != 1) {
                w = new Weight(w.shape(), scaled(w.values(), alpha));
            }
            String name = layerName(i, node);
            int out = w.shape()[0];
            boolean bias = node.getInputCount() > 2 && !node.getInput(2).isEmpty();
            weights.put(key(name, WEIGHT), w);
            if (bias) {
                Weight c = constant(i, node, 2);
                float beta = (float) floating(node, "beta", 1);
                float[] values = new float[out];
                if (c.values().length == 1) {
                    Arrays.fill(values, c.values()[0] * beta);
                } else if (c.values().length == out && c.shape()[c.shape().length - 1] == out) {
                    values = scaled(c.values(), beta);
                } else {
                    throw broken(i, "bias '" + node.getInput(2) + "' has shape " + Arrays.toString(c.shape())
                            + ", not [" + out + "]");
                }
                weights.put(key(name, BIAS), new Weight(new int[] {out}, values));
            }
            return linear(i, node, name, w, bias);
        }

        /** MatMul(A, B) with a constant [in, out] B: a Linear without bias (a following constant Add gives one). */
        private Layer matMul(int i, NodeProto node) {
            Weight w = transpose(weight(i, node, 1, 2));
            String name = layerName(i, node);
            weights.put(key(name, WEIGHT), w);
            return linear(i, node, name, w, false);
        }

        private Layer linear(int i, NodeProto node, String name, Weight w, boolean bias) {
            if (!shape.flat()) {
                throw unsupported(i, node, "it multiplies a feature map " + shape + " (flatten it first)");
            }
            if (w.shape()[1] != shape.channels()) {
                throw broken(i, "its weight takes " + w.shape()[1] + " features but its input has "
                        + shape.channels());
            }
            return new Layer.Linear(name, w.shape()[1], w.shape()[0], bias);
        }

        /** A residual Add, or a constant bias added to the output of a MatMul, Gemm or Conv without one. */
        private void add(int i, NodeProto node) {
            if (node.getInputCount() != 2) {
                throw broken(i, "Add needs 2 inputs, it has " + node.getInputCount());
            }
            String a = resolve(node.getInput(0));
            String b = resolve(node.getInput(1));
            if (constants.containsKey(a) || constants.containsKey(b)) {
                addBias(i, node, constants.containsKey(b) ? 1 : 0);
                return;
            }
            String other;
            if (a.equals(current)) {
                other = b;
            } else if (b.equals(current)) {
                other = a;
            } else {
                throw new OnnxImportException(describe(i, node) + " adds '" + a + "' and '" + b + "', neither of them "
                        + "the output of the previous layer ('" + current + "'): a NetSpec cannot express this branch");
            }
            String name = layerName(i, node);
            Integer p = producer.get(other);
            if (p != null && shortcutNodes.contains(p)) {
                append(new Layer.Add(name, layerOf.get(shortcutInput(p)), shortcut(p)), node.getOutput(0));
            } else if (layerOf.containsKey(other)) {
                append(Layer.Add.identity(name, layerOf.get(other)), node.getOutput(0));
            } else {
                throw new OnnxImportException(describe(i, node) + " adds '" + other + "', which is neither an earlier "
                        + "layer's output nor a Conv (+ BatchNormalization) projection of one");
            }
        }

        /** The tensor a projection shortcut reads, given its last node. */
        private String shortcutInput(int last) {
            NodeProto node = graph.getNode(last);
            if (node.getOpType().equals("BatchNormalization")) {
                node = graph.getNode(producer.get(resolve(node.getInput(0))));
            }
            String from = resolve(node.getInput(0));
            if (!layerOf.containsKey(from)) {
                throw new OnnxImportException("the projection shortcut '" + node.getName() + "' reads '" + from
                        + "', which is not the output of a layer of the chain");
            }
            return from;
        }

        private Layer.Shortcut shortcut(int last) {
            NodeProto node = graph.getNode(last);
            int convIndex = node.getOpType().equals("BatchNormalization")
                    ? producer.get(resolve(node.getInput(0))) : last;
            NodeProto convNode = graph.getNode(convIndex);
            Layer.Conv2d conv = conv(convIndex, convNode, layerName(convIndex, convNode));
            Layer.BatchNorm bn = convIndex == last ? null : batchNorm(last, node, layerName(last, node));
            return new Layer.Shortcut(conv, bn);
        }

        private void addBias(int i, NodeProto node, int constantIndex) {
            requireOnChain(i, node, node.getInput(1 - constantIndex));
            Layer last = layers.isEmpty() ? null : layers.get(layers.size() - 1);
            int channels;
            if (last instanceof Layer.Linear l && !l.bias()) {
                channels = l.outFeatures();
                layers.set(layers.size() - 1, new Layer.Linear(l.name(), l.inFeatures(), l.outFeatures(), true));
            } else if (last instanceof Layer.Conv2d c && !c.bias()) {
                channels = c.outChannels();
                layers.set(layers.size() - 1, new Layer.Conv2d(c.name(), c.inChannels(), c.outChannels(), c.kernel(),
                        c.stride(), c.padding(), c.groups(), true));
            } else {
                throw unsupported(i, node, "adding a constant is only supported as the bias of a MatMul, Gemm or "
                        + "Conv that has none");
            }
            Weight c = constant(i, node, constantIndex);
            int[] s = c.shape();
            // One value per output channel on the channel axis as broadcasting aligns it: [C] or [1, C] after a
            // Linear; [C, 1, 1] or [1, C, 1, 1] after a Conv (a [C] there would broadcast along the width).
            int axis = last instanceof Layer.Linear ? s.length - 1 : s.length - 3;
            boolean perChannel = c.values().length == channels && axis >= 0 && s[axis] == channels
                    && Arrays.stream(s).filter(d -> d != 1).count() <= 1;
            if (!perChannel) {
                throw broken(i, "the bias '" + node.getInput(constantIndex) + "' has shape " + Arrays.toString(s)
                        + ", not one value per each of the " + channels + " channels of '" + last.name() + "'");
            }
            weights.put(key(last.name(), BIAS), new Weight(new int[] {channels}, c.values()));
            layerOf.put(node.getOutput(0), last.name());
            current = node.getOutput(0);
        }

        private NetSpec checkedNet() {
            List<NetSpec.ResidualGroup> groups = new ArrayList<>();
            try {
                NetSpec draft = new NetSpec(netName, inputShape(), shape.channels(), layers, List.of());
                int n = 0;
                for (List<String> group : Coupling.groups(draft)) {
                    groups.add(new NetSpec.ResidualGroup("residual" + (++n), group));
                }
                NetSpec net = new NetSpec(netName, inputShape(), shape.channels(), layers, groups);
                ShapeInference.infer(net);
                return net;
            } catch (IllegalArgumentException e) {
                throw new OnnxImportException("the imported network is invalid: " + e.getMessage());
            }
        }

        private Shape inputShape() {
            return shapes.get(NetSpec.INPUT);
        }

        /** A unique layer name from the node's name (or its operator and index when it has none). */
        private String layerName(int i, NodeProto node) {
            String base = node.getName().replaceAll("[^A-Za-z0-9._-]+", ".").replaceAll("^\\.+|\\.+$", "");
            if (base.isEmpty()) {
                base = node.getOpType().toLowerCase(Locale.ROOT) + i;
            }
            String name = base;
            for (int n = 2; !names.add(name); n++) {
                name = base + "_" + n;
            }
            return name;
        }

        // ---- weights ----

        /** Input {@code index} of the node as a constant of the given rank. */
        private Weight weight(int i, NodeProto node, int index, int rank) {
            Weight w = constant(i, node, index);
            if (w.shape().length != rank) {
                throw broken(i, "weight '" + node.getInput(index) + "' has rank " + w.shape().length + " (shape "
                        + Arrays.toString(w.shape()) + "), expected rank " + rank);
            }
            return w;
        }

        private Weight vector(int i, NodeProto node, int index, int length) {
            Weight w = weight(i, node, index, 1);
            if (w.shape()[0] != length) {
                throw broken(i, "'" + node.getInput(index) + "' has " + w.shape()[0] + " values, expected " + length);
            }
            return w;
        }

        private Weight constant(int i, NodeProto node, int index) {
            if (node.getInputCount() <= index || node.getInput(index).isEmpty()) {
                throw broken(i, "input " + index + " (a weight) is missing");
            }
            String name = node.getInput(index);
            TensorProto t = constants.get(name);
            if (t == null) {
                throw broken(i, "input " + index + " '" + name + "' must be an initializer or a Constant (a weight), "
                        + (producer.containsKey(name) ? "but a node computes it" : "but nothing defines it"));
            }
            return floats(i, name, t);
        }

        private TensorProto constantValue(int i, NodeProto node) {
            for (AttributeProto a : node.getAttributeList()) {
                if (a.getName().equals("value") && a.hasT()) {
                    return a.getT();
                }
                if (a.getName().equals("value_float")) {
                    return TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(a.getF())
                            .build();
                }
                if (a.getName().equals("value_floats")) {
                    return TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE)
                            .addAllFloatData(a.getFloatsList()).addDims(a.getFloatsCount()).build();
                }
                if (a.getName().equals("value_int")) {
                    return TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(a.getI())
                            .build();
                }
                if (a.getName().equals("value_ints")) {
                    return TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE)
                            .addAllInt64Data(a.getIntsList()).addDims(a.getIntsCount()).build();
                }
            }
            throw unsupported(i, node, "a Constant without a tensor or number value");
        }

        private Weight floats(int i, String name, TensorProto t) {
            int[] dims = dims(i, name, t);
            int n = Arrays.stream(dims).reduce(1, Math::multiplyExact);
            float[] values = new float[n];
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            boolean hasRaw = !t.getRawData().isEmpty();
            int count;
            switch (t.getDataType()) {
                case TensorProto.DataType.FLOAT_VALUE -> {
                    count = hasRaw ? raw.remaining() / Float.BYTES : t.getFloatDataCount();
                    checkCount(i, name, count, dims);
                    for (int k = 0; k < n; k++) {
                        values[k] = hasRaw ? raw.getFloat(k * Float.BYTES) : t.getFloatData(k);
                    }
                }
                case TensorProto.DataType.DOUBLE_VALUE -> {
                    count = hasRaw ? raw.remaining() / Double.BYTES : t.getDoubleDataCount();
                    checkCount(i, name, count, dims);
                    for (int k = 0; k < n; k++) {
                        values[k] = (float) (hasRaw ? raw.getDouble(k * Double.BYTES) : t.getDoubleData(k));
                    }
                }
                case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.INT32_VALUE -> {
                    long[] ints = longs(i, name, t);
                    for (int k = 0; k < n; k++) {
                        values[k] = ints[k];
                    }
                }
                default -> throw broken(i, "tensor '" + name + "' has data type "
                        + TensorProto.DataType.forNumber(t.getDataType()) + " (float32, float64 or integers expected)");
            }
            return new Weight(dims, values);
        }

        private long[] longs(int i, String name, TensorProto t) {
            int[] dims = dims(i, name, t);
            int n = Arrays.stream(dims).reduce(1, Math::multiplyExact);
            long[] values = new long[n];
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            boolean hasRaw = !t.getRawData().isEmpty();
            if (t.getDataType() == TensorProto.DataType.INT64_VALUE) {
                checkCount(i, name, hasRaw ? raw.remaining() / Long.BYTES : t.getInt64DataCount(), dims);
                for (int k = 0; k < n; k++) {
                    values[k] = hasRaw ? raw.getLong(k * Long.BYTES) : t.getInt64Data(k);
                }
            } else if (t.getDataType() == TensorProto.DataType.INT32_VALUE) {
                checkCount(i, name, hasRaw ? raw.remaining() / Integer.BYTES : t.getInt32DataCount(), dims);
                for (int k = 0; k < n; k++) {
                    values[k] = hasRaw ? raw.getInt(k * Integer.BYTES) : t.getInt32Data(k);
                }
            } else {
                throw broken(i, "tensor '" + name + "' must hold integers, it has data type "
                        + TensorProto.DataType.forNumber(t.getDataType()));
            }
            return values;
        }

        private int[] dims(int i, String name, TensorProto t) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                throw broken(i, "tensor '" + name + "' is stored outside the .onnx file (external data); save the "
                        + "model with its weights inside");
            }
            int[] dims = new int[t.getDimsCount()];
            for (int d = 0; d < dims.length; d++) {
                if (t.getDims(d) < 0 || t.getDims(d) > Integer.MAX_VALUE) {
                    throw broken(i, "tensor '" + name + "' has dimension " + t.getDims(d));
                }
                dims[d] = (int) t.getDims(d);
            }
            return dims;
        }

        private void checkCount(int i, String name, int count, int[] dims) {
            int n = Arrays.stream(dims).reduce(1, Math::multiplyExact);
            if (count != n) {
                throw broken(i, "tensor '" + name + "' holds " + count + " values but its shape "
                        + Arrays.toString(dims) + " needs " + n);
            }
        }

        private static Weight transpose(Weight w) {
            int rows = w.shape()[0];
            int cols = w.shape()[1];
            float[] out = new float[w.values().length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out[c * rows + r] = w.values()[r * cols + c];
                }
            }
            return new Weight(new int[] {cols, rows}, out);
        }

        private static float[] scaled(float[] values, float factor) {
            float[] out = values.clone();
            for (int k = 0; k < out.length; k++) {
                out[k] *= factor;
            }
            return out;
        }

        // ---- attributes ----

        private static AttributeProto attribute(NodeProto node, String name) {
            for (AttributeProto a : node.getAttributeList()) {
                if (a.getName().equals(name)) {
                    return a;
                }
            }
            return null;
        }

        private static long[] ints(NodeProto node, String name, long... absent) {
            AttributeProto a = attribute(node, name);
            return a == null ? (absent.length == 0 ? null : absent)
                    : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        }

        private static long integer(NodeProto node, String name, long absent) {
            AttributeProto a = attribute(node, name);
            return a == null ? absent : a.getI();
        }

        private static double floating(NodeProto node, String name, double absent) {
            AttributeProto a = attribute(node, name);
            return a == null ? absent : a.getF();
        }

        private static String text(NodeProto node, String name, String absent) {
            AttributeProto a = attribute(node, name);
            return a == null ? absent : a.getS().toStringUtf8();
        }

        private int equalPair(int i, NodeProto node, String attribute, long[] values) {
            if (values.length != 2 || values[0] != values[1] || values[0] < 1) {
                throw unsupported(i, node, attribute + " " + Arrays.toString(values) + " (2-D, equal in height and "
                        + "width, is supported)");
            }
            return (int) values[0];
        }

        // ---- errors ----

        private OnnxImportException unsupported(int i, NodeProto node, String what) {
            return new OnnxImportException(describe(i, node) + ": unsupported " + what);
        }

        private OnnxImportException broken(int i, String what) {
            return new OnnxImportException(describe(i, graph.getNode(i)) + " " + what);
        }

        static String describe(int i, NodeProto node) {
            return "node #" + i + " '" + node.getName() + "' (" + node.getOpType() + ")";
        }
    }
}
