import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.nn.measure.InferenceModel;
import dev.pocketmesh.nn.onnx.OnnxExport;
import dev.pocketmesh.nn.onnx.OnnxRuntimeModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * What LeNet-5's batch-1 latency in ONNX Runtime (Java, 1 thread) consists of, and which part of it pruning can
 * shrink (bench/results/lenet-latency-study.md). A scratch study, not part of the build; run it against the built
 * CLI's classpath:
 *
 * <pre>
 *   ./mvnw -B -ntp -pl cli -am package -DskipTests
 *   java -cp "cli/target/pocketmesh-cli.jar:cli/target/lib/*" bench/study/LenetLatencyStudy.java PART [rounds] [block]
 * </pre>
 *
 * PART: harness (what the timed call contains, against an identity graph), options (session options), graph
 * (equivalent export forms), prefix (the exported graph cut after each layer: per-layer cost), conv1 (conv1 alone,
 * 1 to 16 filters), batch (batch 1 and -Dbatch=N), sessions (session-to-session and buffer-alignment spread),
 * profile (ONNX Runtime's own per-node profile), polyphase (conv1 + pool1 rewritten, see {@link #polyphase}),
 * spin (one case in a loop for -Dseconds, for perf).
 *
 * <p>Every case is one inference call on its own session. All cases of a part are timed interleaved: each of
 * {@code rounds} rounds runs {@code block} timed calls of every case in turn (order rotated per round), after 2000
 * warm-up calls each. Printed: the median of all calls, the lowest round median, p10 and p90 (microseconds); and
 * for LeNet cases the speedup of each pruned variant as the median over rounds of (round median of the baseline /
 * round median of the variant), with its 10th-90th percentile over rounds. Weights are seeded random (the same
 * latency as trained weights: the bench's trained pair gave the same ratio).
 */
public class LenetLatencyStudy {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    /** Kept channels of conv1, conv2, fc1, fc2 per variant. */
    static final Map<String, int[]> KEEP = new LinkedHashMap<>();

    static {
        KEEP.put("base", new int[] {6, 16, 120, 84});
        KEEP.put("p2x", new int[] {4, 8, 88, 64});  // bench prune-fashion's uniform ratio for 2x (l1, multiples of 8)
        KEEP.put("p3x", new int[] {3, 8, 64, 64});  // the best found last session: 3.06x fewer FLOPs
    }

    static final List<String> VARIANTS = List.copyOf(KEEP.keySet());
    static final long[] IMAGE = {1, 1, 28, 28};
    static final long[] LOGITS = {1, 10};

    record Case(String name, Runnable call, AutoCloseable resource) {
    }

    interface OptionsTweak {
        void apply(OrtSession.SessionOptions options) throws OrtException;
    }

    public static void main(String[] args) throws Exception {
        String part = args[0];
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int block = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        for (String v : VARIANTS) {
            System.out.printf(Locale.ROOT, "%s keeps %s: %d FLOPs, %.2fx fewer than base (0.8x of it: %.2fx)%n", v,
                    Arrays.toString(KEEP.get(v)), CostModel.of(spec(v)).flops(), flopsRatio(v), 0.8 * flopsRatio(v));
        }
        List<Case> cases = new ArrayList<>();
        OptionsTweak none = o -> { };
        switch (part) {
            case "harness" -> {
                cases.add(pinned("identity [1,10] pinned", session(identity(), none), LOGITS, LOGITS, 0));
                cases.add(unpinned("identity [1,10] unpinned", session(identity(), none), LOGITS));
                cases.add(pinned("flatten+gemm 784->10 pinned", session(oneGemm(), none), IMAGE, LOGITS, 0));
                for (String v : VARIANTS) {
                    cases.add(project(v + " OnnxRuntimeModel.timed", v));
                    cases.add(pinned(v + " pinned", session(onnx(v), none), IMAGE, LOGITS, 0));
                    cases.add(unpinned(v + " unpinned", session(onnx(v), none), IMAGE));
                    cases.add(naive(v + " naive", session(onnx(v), none), IMAGE));
                }
            }
            case "options" -> {
                Map<String, OptionsTweak> tweaks = new LinkedHashMap<>();
                tweaks.put("as OnnxRuntimeModel", none);
                tweaks.put("allow_spinning 0", o -> o.addConfigEntry("session.intra_op.allow_spinning", "0"));
                tweaks.put("allow_spinning 1", o -> o.addConfigEntry("session.intra_op.allow_spinning", "1"));
                tweaks.put("memory pattern off", o -> o.setMemoryPatternOptimization(false));
                tweaks.put("cpu arena off", o -> o.setCPUArenaAllocator(false));
                tweaks.put("EXTENDED_OPT",
                        o -> o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT));
                tweaks.put("BASIC_OPT", o -> o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT));
                tweaks.put("batch fixed to 1", o -> o.setSymbolicDimensionValue("batch", 1));
                tweaks.put("denormals as zero", o -> o.addConfigEntry("session.set_denormal_as_zero", "1"));
                for (String v : VARIANTS) {
                    for (var t : tweaks.entrySet()) {
                        cases.add(pinned(v + " " + t.getKey(), session(onnx(v), t.getValue()), IMAGE, LOGITS, 0));
                    }
                }
            }
            case "graph" -> {
                for (String v : VARIANTS) {
                    byte[] m = onnx(v);
                    cases.add(pinned(v + " as exported", session(m, none), IMAGE, LOGITS, 0));
                    cases.add(pinned(v + " Reshape for Flatten", session(rewrite(m, true, false), none), IMAGE,
                            LOGITS, 0));
                    cases.add(pinned(v + " MatMul+Add for Gemm", session(rewrite(m, false, true), none), IMAGE,
                            LOGITS, 0));
                    cases.add(pinned(v + " both", session(rewrite(m, true, true), none), IMAGE, LOGITS, 0));
                }
            }
            case "prefix" -> {
                String level = System.getProperty("opt", "ALL_OPT");
                OptionsTweak opt = o -> o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(level));
                int n = Integer.getInteger("batch", 1);
                long[] images = {n, 1, 28, 28};
                cases.add(pinned("identity", session(identity(), opt), LOGITS, LOGITS, 0));
                for (String v : VARIANTS) {
                    for (String last : List.of("relu1", "pool1", "relu2", "pool2", "relu3", "relu4", "fc3")) {
                        byte[] g = prefix(onnx(v), last);
                        cases.add(pinned(v + " ..." + last, session(g, opt), images, outputShape(g, images), 0));
                    }
                }
            }
            case "conv1" -> {
                cases.add(pinned("identity", session(identity(), none), LOGITS, LOGITS, 0));
                for (int k : new int[] {3, 6, 8, 16}) {
                    cases.add(pinned("conv1 k=" + k + " Pad node + pads 0", session(conv1(k, true), none), IMAGE,
                            new long[] {1, k, 28, 28}, 0));
                }
                for (String level : List.of("ALL_OPT", "EXTENDED_OPT")) {
                    OptionsTweak opt = o -> o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(level));
                    for (int k : new int[] {1, 2, 3, 4, 6, 8, 9, 12, 16}) {
                        cases.add(pinned("conv1 k=" + k + " " + level, session(conv1(k, false), opt), IMAGE,
                                new long[] {1, k, 28, 28}, 0));
                    }
                }
            }
            case "polyphase" -> {
                for (String v : VARIANTS) {
                    byte[] m = onnx(v);
                    byte[] p = polyphase(m);
                    System.out.printf(Locale.ROOT, "%s polyphase: max |difference| logits %.2e, pool1 %.2e%n", v,
                            maxDifference(m, p, new long[] {4, 1, 28, 28}),
                            maxDifference(prefix(m, "pool1"), prefix(p, "pool1"), new long[] {4, 1, 28, 28}));
                    cases.add(pinned(v + " ...pool1", session(prefix(m, "pool1"), none), IMAGE,
                            outputShape(prefix(m, "pool1"), IMAGE), 0));
                    cases.add(pinned(v + " ...pool1 polyphase", session(prefix(p, "pool1"), none), IMAGE,
                            outputShape(prefix(p, "pool1"), IMAGE), 0));
                    cases.add(pinned(v + " whole", session(m, none), IMAGE, LOGITS, 0));
                    cases.add(pinned(v + " whole polyphase", session(p, none), IMAGE, LOGITS, 0));
                }
            }
            case "batch" -> {
                int n = Integer.getInteger("batch", 32);
                for (String v : VARIANTS) {
                    cases.add(pinned(v + " batch 1", session(onnx(v), none), IMAGE, LOGITS, 0));
                    cases.add(pinned(v + " batch " + n, session(onnx(v), none), new long[] {n, 1, 28, 28},
                            new long[] {n, 10}, 0));
                }
            }
            case "sessions" -> {
                int n = Integer.getInteger("batch", 1);
                for (String v : VARIANTS) {
                    for (int offset : new int[] {0, 4}) {
                        for (int s = 0; s < 4; s++) {
                            cases.add(pinned(v + " b" + n + " buffers at 64+" + offset + " session " + s,
                                    session(onnx(v), none), new long[] {n, 1, 28, 28}, new long[] {n, 10}, offset));
                        }
                    }
                }
            }
            case "profile" -> {
                for (String v : VARIANTS) {
                    printProfile(v, onnx(v), IMAGE, rounds * 10);
                }
                printProfile("identity", identity(), LOGITS, rounds * 10);
                return;
            }
            case "spin" -> {
                String what = System.getProperty("model", "identity");
                Case c = what.equals("identity") ? pinned(what, session(identity(), none), LOGITS, LOGITS, 0)
                        : pinned(what, session(onnx(what), none), IMAGE, LOGITS, 0);
                long start = System.nanoTime();
                long end = start + (long) (Double.parseDouble(System.getProperty("seconds", "10")) * 1e9);
                long calls = 0;
                while (System.nanoTime() < end) {
                    c.call().run();
                    calls++;
                }
                System.out.printf(Locale.ROOT, "%s: %d calls, %.2f us/call%n", what, calls,
                        (System.nanoTime() - start) / 1e3 / calls);
                c.resource().close();
                return;
            }
            default -> throw new IllegalArgumentException("unknown part " + part);
        }
        Map<String, double[][]> samples = measure(cases, rounds, block);
        for (Case c : cases) {
            c.resource().close();
        }
        report(samples);
    }

    // ------------------------------------------------------------------------------------------------ models

    static NetSpec spec(String variant) {
        int[] k = KEEP.get(variant);
        return PruningUnits.apply(ModelZoo.lenet5(), Map.of("conv1", k[0], "conv2", k[1], "fc1", k[2], "fc2", k[3]));
    }

    /** The variant as the project exports it (OnnxExport.fp32), seeded random weights. */
    static byte[] onnx(String variant) {
        NetSpec s = spec(variant);
        return OnnxExport.fp32(s, RandomWeights.of(s, 7));
    }

    static double flopsRatio(String variant) {
        return (double) CostModel.of(spec("base")).flops() / CostModel.of(spec(variant)).flops();
    }

    /** input [N,10] -> Identity -> logits: the per-call floor of the runtime and its Java binding. */
    static byte[] identity() {
        return model(GraphProto.newBuilder().setName("identity").addInput(valueInfo("input", 1, 10))
                .addOutput(valueInfo("logits", 1, 10))
                .addNode(node("Identity", "id", "input").addOutput("logits")).build());
    }

    /** input [N,1,28,28] -> Flatten -> Gemm(784 -> 10): one tiny layer with LeNet's input and output. */
    static byte[] oneGemm() {
        return model(GraphProto.newBuilder().setName("gemm").addInput(valueInfo("input", 1, 1, 28, 28))
                .addOutput(valueInfo("logits", 1, 10))
                .addInitializer(floats("w", random(7840, 3), 10, 784)).addInitializer(floats("b", random(10, 4), 10))
                .addNode(node("Flatten", "f", "input").addOutput("x"))
                .addNode(node("Gemm", "g", "x", "w", "b").addAttribute(intAttr("transB", 1)).addOutput("logits"))
                .build());
    }

    /** LeNet's conv1 alone, k filters, + Relu; with {@code padNode} its zero padding is a Pad node instead. */
    static byte[] conv1(int k, boolean padNode) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("conv1").addInput(valueInfo("input", 1, 1, 28, 28))
                .addOutput(valueInfo("logits", 1, k, 28, 28))
                .addInitializer(floats("w", random(25 * k, 5), k, 1, 5, 5))
                .addInitializer(floats("b", random(k, 6), k));
        NodeProto.Builder conv = node("Conv", "c", padNode ? "padded" : "input", "w", "b")
                .addAttribute(ints("kernel_shape", 5, 5)).addOutput("c");
        if (padNode) {
            g.addInitializer(longs("pads", 0, 0, 2, 2, 0, 0, 2, 2));
            g.addNode(node("Pad", "p", "input", "pads").addOutput("padded"));
        } else {
            conv.addAttribute(ints("pads", 2, 2, 2, 2));
        }
        return model(g.addNode(conv).addNode(node("Relu", "r", "c").addOutput("logits")).build());
    }

    /** An exported LeNet with Flatten -> Reshape [0, -1] and/or Gemm(transB) -> MatMul(W^T) + Add(bias). */
    static byte[] rewrite(byte[] onnx, boolean reshape, boolean matmul) throws Exception {
        ModelProto m = ModelProto.parseFrom(onnx);
        GraphProto.Builder g = m.getGraph().toBuilder();
        Map<String, TensorProto> initializers = new HashMap<>();
        g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            if (reshape && n.getOpType().equals("Flatten")) {
                g.addInitializer(longs(n.getName() + ".shape", 0, -1));
                nodes.add(node("Reshape", n.getName(), n.getInput(0), n.getName() + ".shape")
                        .addAllOutput(n.getOutputList()).build());
            } else if (matmul && n.getOpType().equals("Gemm")) {
                TensorProto w = initializers.get(n.getInput(1));
                int rows = (int) w.getDims(0);
                int cols = (int) w.getDims(1);
                FloatBuffer src = w.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                float[] transposed = new float[rows * cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        transposed[c * rows + r] = src.get(r * cols + c);
                    }
                }
                g.addInitializer(floats(n.getInput(1) + ".t", transposed, cols, rows));
                String product = n.getName() + "/matmul";
                nodes.add(node("MatMul", product, n.getInput(0), n.getInput(1) + ".t").addOutput(product).build());
                nodes.add(node("Add", n.getName(), product, n.getInput(2)).addAllOutput(n.getOutputList()).build());
            } else {
                nodes.add(n);
            }
        }
        g.clearNode().addAllNode(nodes);
        return m.toBuilder().setGraph(g).build().toByteArray();
    }

    /**
     * The exported LeNet with conv1 + relu1 + pool1 (5x5 pad 2, then 2x2 max pool stride 2) in polyphase form:
     * SpaceToDepth(2) makes the 4 input phases (1 x 28 x 28 -> 4 x 14 x 14), one 3x3 pad-1 Conv computes all 4
     * output phases of every filter (F -> 4F output channels, phase-major), and the 2x2 max pool is the max over
     * the 4 output phases (Reshape to [N, 4, F, 14, 14], ReduceMax over axis 1), then Relu. The same function,
     * with 4F conv outputs instead of F (F = 6 pads to one 8-wide block; 4F = 24 fills three).
     */
    static byte[] polyphase(byte[] onnx) throws Exception {
        ModelProto m = ModelProto.parseFrom(onnx);
        GraphProto.Builder g = m.getGraph().toBuilder();
        TensorProto w = g.getInitializerList().stream().filter(t -> t.getName().equals("conv1.weight")).findFirst()
                .orElseThrow();
        TensorProto b = g.getInitializerList().stream().filter(t -> t.getName().equals("conv1.bias")).findFirst()
                .orElseThrow();
        int filters = (int) w.getDims(0);
        FloatBuffer src = w.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        FloatBuffer bias = b.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] pw = new float[4 * filters * 4 * 9];
        float[] pb = new float[4 * filters];
        for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
                for (int f = 0; f < filters; f++) {
                    int o = (dy * 2 + dx) * filters + f;
                    pb[o] = bias.get(f);
                    for (int py = 0; py < 2; py++) {
                        for (int px = 0; px < 2; px++) {
                            for (int ka = 0; ka < 3; ka++) {
                                for (int kb = 0; kb < 3; kb++) {
                                    int i = 2 * ka + py - dy;
                                    int j = 2 * kb + px - dx;
                                    if (i >= 0 && i < 5 && j >= 0 && j < 5) {
                                        pw[((o * 4 + py * 2 + px) * 3 + ka) * 3 + kb] = src.get((f * 5 + i) * 5 + j);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        g.addInitializer(floats("conv1.phase.weight", pw, 4 * filters, 4, 3, 3));
        g.addInitializer(floats("conv1.phase.bias", pb, 4 * filters));
        g.addInitializer(longs("conv1.phase.shape", 0, 4, filters, 14, 14));
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(node("SpaceToDepth", "conv1/phases", "input").addAttribute(intAttr("blocksize", 2))
                .addOutput("conv1/phases").build());
        nodes.add(node("Conv", "conv1", "conv1/phases", "conv1.phase.weight", "conv1.phase.bias")
                .addAttribute(ints("kernel_shape", 3, 3)).addAttribute(ints("pads", 1, 1, 1, 1))
                .addOutput("conv1").build());
        nodes.add(node("Reshape", "conv1/by_phase", "conv1", "conv1.phase.shape").addOutput("conv1/by_phase").build());
        nodes.add(node("ReduceMax", "pool1/max", "conv1/by_phase").addAttribute(ints("axes", 1))
                .addAttribute(intAttr("keepdims", 0)).addOutput("pool1/max").build());
        nodes.add(node("Relu", "pool1", "pool1/max").addOutput("pool1").build());
        for (NodeProto n : g.getNodeList()) {
            if (!List.of("conv1", "relu1", "pool1").contains(n.getName())) {
                nodes.add(n);
            }
        }
        g.clearNode().addAllNode(nodes);
        return m.toBuilder().setGraph(g).build().toByteArray();
    }

    /** The largest absolute difference between two models' logits on the same random images. */
    static double maxDifference(byte[] a, byte[] b, long[] inShape) throws OrtException {
        float[] image = random(count(inShape), 11);
        float[][] out = new float[2][];
        List<byte[]> models = List.of(a, b);
        for (int i = 0; i < 2; i++) {
            try (OrtSession s = session(models.get(i), o -> { });
                    OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(image), inShape);
                    OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
                FloatBuffer f = ((OnnxTensor) r.get(0)).getFloatBuffer();
                out[i] = new float[f.remaining()];
                f.get(out[i]);
            }
        }
        double max = 0;
        for (int i = 0; i < out[0].length; i++) {
            max = Math.max(max, Math.abs(out[0][i] - out[1][i]));
        }
        return max;
    }

    /** The exported graph cut after node {@code last}, whose output becomes the graph output. */
    static byte[] prefix(byte[] onnx, String last) throws Exception {
        ModelProto m = ModelProto.parseFrom(onnx);
        GraphProto.Builder g = m.getGraph().toBuilder();
        List<NodeProto> kept = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            kept.add(n);
            if (n.getName().equals(last)) {
                break;
            }
        }
        String out = kept.get(kept.size() - 1).getOutput(0);
        g.clearNode().addAllNode(kept).clearOutput().addOutput(ValueInfoProto.newBuilder().setName(out)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1))));
        return m.toBuilder().setGraph(g).build().toByteArray();
    }

    static long[] outputShape(byte[] model, long[] inShape) throws OrtException {
        try (OrtSession s = session(model, o -> { });
                OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(random(count(inShape), 1)), inShape);
                OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
            return ((OnnxTensor) r.get(0)).getInfo().getShape();
        }
    }

    static byte[] model(GraphProto g) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("lenet-latency-study").setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build().toByteArray();
    }

    static NodeProto.Builder node(String op, String name, String... inputs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(Arrays.asList(inputs));
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        Arrays.stream(v).forEach(a::addInts);
        return a.build();
    }

    /** A float tensor value info with a symbolic batch dimension first. */
    static ValueInfoProto valueInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int i = 1; i < dims.length; i++) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    static TensorProto floats(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(b.array())).addAllDims(Arrays.stream(dims).boxed().toList()).build();
    }

    static TensorProto longs(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(values).forEach(b::putLong);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(values.length).setRawData(ByteString.copyFrom(b.array())).build();
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    static int count(long[] shape) {
        return (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    // ------------------------------------------------------------------------------------------------ harnesses

    /** OnnxRuntimeModel's session options (1 intra-op thread, sequential, ALL_OPT), then {@code tweak}. */
    static OrtSession session(byte[] model, OptionsTweak tweak) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            tweak.apply(o);
            return ENV.createSession(model, o);
        }
    }

    /** The project's harness itself: OnnxRuntimeModel.load and timed(), as LatencyMeter calls it. */
    static Case project(String name, String variant) {
        OnnxRuntimeModel m = OnnxRuntimeModel.load(onnx(variant), spec(variant), 1);
        InferenceModel.TimedRun run = m.timed(random(784, 1), 1);
        return new Case(name, run::run, () -> {
            run.close();
            m.close();
        });
    }

    /**
     * What a deployment that hoists its allocations does (and OnnxRuntimeModel.timed): input tensor over a direct
     * buffer and a pinned output tensor, both made once; per call only run() and a read of the logits. The buffers
     * start {@code offset} bytes after a 64-byte boundary.
     */
    static Case pinned(String name, OrtSession s, long[] inShape, long[] outShape, int offset) throws OrtException {
        FloatBuffer in = directAt(count(inShape), offset).put(random(count(inShape), 1));
        FloatBuffer out = directAt(count(outShape), offset);
        OnnxTensor input = OnnxTensor.createTensor(ENV, in.rewind(), inShape);
        OnnxTensor output = OnnxTensor.createTensor(ENV, out, outShape);
        Map<String, OnnxTensor> inputs = Map.of(s.getInputNames().iterator().next(), input);
        Map<String, OnnxTensor> outputs = Map.of(s.getOutputNames().iterator().next(), output);
        return new Case(name, () -> {
            try (OrtSession.Result ignored = s.run(inputs, outputs)) {
                out.get(0);
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }, () -> {
            input.close();
            output.close();
            s.close();
        });
    }

    /** Input tensor made once; the output allocated by the runtime per call and copied out (as logits() does). */
    static Case unpinned(String name, OrtSession s, long[] inShape) throws OrtException {
        OnnxTensor input = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(random(count(inShape), 1)), inShape);
        Map<String, OnnxTensor> inputs = Map.of(s.getInputNames().iterator().next(), input);
        return new Case(name, () -> {
            try (OrtSession.Result r = s.run(inputs)) {
                FloatBuffer logits = ((OnnxTensor) r.get(0)).getFloatBuffer();
                logits.get(new float[logits.remaining()]);
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }, () -> {
            input.close();
            s.close();
        });
    }

    /** Everything per call: a tensor from a heap float[] (copied into native memory), run, getValue(). */
    static Case naive(String name, OrtSession s, long[] inShape) throws OrtException {
        float[] image = random(count(inShape), 1);
        String inputName = s.getInputNames().iterator().next();
        return new Case(name, () -> {
            try (OnnxTensor t = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(image), inShape);
                    OrtSession.Result r = s.run(Map.of(inputName, t))) {
                r.get(0).getValue();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }, s::close);
    }

    static FloatBuffer directAt(int floats, int offset) {
        ByteBuffer b = ByteBuffer.allocateDirect(floats * 4 + 128).alignedSlice(64);
        b.position(offset).limit(offset + floats * 4);
        return b.slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    // ------------------------------------------------------------------------------------------------ timing

    /** Microseconds per call: [case][round][call]. */
    static Map<String, double[][]> measure(List<Case> cases, int rounds, int block) {
        for (Case c : cases) {
            for (int i = 0; i < 2000; i++) {
                c.call().run();
            }
        }
        Map<String, double[][]> samples = new LinkedHashMap<>();
        cases.forEach(c -> samples.put(c.name(), new double[rounds][block]));
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < cases.size(); j++) {
                Case c = cases.get((j + r) % cases.size());
                double[] s = samples.get(c.name())[r];
                for (int i = 0; i < block; i++) {
                    long t = System.nanoTime();
                    c.call().run();
                    s[i] = (System.nanoTime() - t) / 1e3;
                }
            }
        }
        return samples;
    }

    static void report(Map<String, double[][]> samples) {
        System.out.printf(Locale.ROOT, "%-44s %9s %9s %9s %9s%n", "case (us per call)", "median", "min-round", "p10",
                "p90");
        samples.forEach((name, s) -> {
            double[] all = Arrays.stream(s).flatMapToDouble(Arrays::stream).toArray();
            System.out.printf(Locale.ROOT, "%-44s %9.2f %9.2f %9.2f %9.2f%n", name, median(all),
                    Arrays.stream(roundMedians(s)).min().orElseThrow(), quantile(all, 0.1), quantile(all, 0.9));
        });
        System.out.println("speedup over base (median over rounds of the round-median ratio [p10..p90 over rounds]):");
        for (String name : samples.keySet()) {
            if (!name.startsWith("base ")) {
                continue;
            }
            String what = name.substring("base ".length());
            for (String v : VARIANTS.subList(1, VARIANTS.size())) {
                if (samples.containsKey(v + " " + what)) {
                    System.out.printf(Locale.ROOT, "  %-4s %-38s %s (FLOPs %.2fx, target %.2fx)%n", v, what,
                            speedup(samples.get(name), samples.get(v + " " + what)), flopsRatio(v),
                            0.8 * flopsRatio(v));
                }
            }
        }
    }

    static String speedup(double[][] base, double[][] variant) {
        double[] b = roundMedians(base);
        double[] v = roundMedians(variant);
        double[] q = new double[b.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = b[i] / v[i];
        }
        return String.format(Locale.ROOT, "%.3fx [%.3f..%.3f]", median(q), quantile(q, 0.1), quantile(q, 0.9));
    }

    static double[] roundMedians(double[][] s) {
        return Arrays.stream(s).mapToDouble(LenetLatencyStudy::median).toArray();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double quantile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(p * s.length))];
    }

    // ------------------------------------------------------------------------------------------------ profile

    /**
     * ONNX Runtime's profiler over {@code runs} runs: medians (after the first fifth) of model_run, the executor, and
     * each node's kernel time, in microseconds. The profiler records whole microseconds and adds its own cost per
     * node, so it names the kernels; the interleaved timings give the sizes.
     */
    static void printProfile(String name, byte[] model, long[] inShape, int runs) throws Exception {
        Path dir = Files.createTempDirectory("lenet-study-profile");
        Map<String, List<Double>> durations = new LinkedHashMap<>();
        try (OrtSession s = session(model, o -> o.enableProfiling(dir.resolve("p").toString()));
                OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(random(count(inShape), 1)), inShape)) {
            Map<String, OnnxTensor> inputs = Map.of(s.getInputNames().iterator().next(), in);
            for (int i = 0; i < runs; i++) {
                s.run(inputs).close();
            }
            for (JsonNode e : Json.tree(Files.readString(Path.of(s.endProfiling())))) {
                String event = e.path("name").asText();
                String key = switch (e.path("cat").asText()) {
                    case "Session" -> event.equals("model_run") || event.equals("SequentialExecutor::Execute")
                            ? event : null;
                    case "Node" -> event.endsWith("_kernel_time") ? "  " + event.replace("_kernel_time", "") + " ("
                            + e.path("args").path("op_name").asText() + ")" : null;
                    default -> null;
                };
                if (key != null) {
                    durations.computeIfAbsent(key, k -> new ArrayList<>()).add(e.path("dur").asDouble());
                }
            }
        }
        System.out.println("profile of " + name + " (" + runs + " runs; us, median):");
        durations.forEach((k, d) -> System.out.printf(Locale.ROOT, "  %-44s %8.1f%n", k,
                median(d.subList(d.size() / 5, d.size()).stream().mapToDouble(x -> x).toArray())));
    }
}
