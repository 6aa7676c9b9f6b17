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
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.BatchNormFolding;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.compress.QuantScheme;
import dev.pocketmesh.nn.compress.TensorQuantization;
import dev.pocketmesh.nn.compress.UniformQuantizer;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.nn.prune.PrunedModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.prune.WeightPruner;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Scratch study for issue #6 (not a test; run by hand, see bench/results/int8-graph-study.md): which int8 graph form
 * ONNX Runtime runs fastest on this CPU at batch 1, one intra-op thread, timed interleaved against the fp32 export.
 * Weights are seeded random (latency does not depend on their values) and activation scales are fixed.
 *
 * <p>Forms: {@code fp32} (today's fp32 export); {@code today} (today's QDQ export, {@link OnnxExport#quantized});
 * {@code full}: every conv output quantized (Conv → [Relu] → Q → DQ, the Relu absorbed into a Q whose zero point
 * is the type's minimum), residual sums as DQ,DQ → Add → [Relu] → Q, global pooling and flatten between Q/DQ, Gemm
 * with DQ inputs; each with u8 or s8 activations, u8 (zero point 128, today's choice) or s8 weights, per-channel or
 * per-tensor weight scales.
 *
 * <p>Run: {@code java -cp <model-core test classpath> dev.pocketmesh.nn.onnx.Int8GraphStudy [rounds] [models...]}.
 */
public final class Int8GraphStudy {
    private static final float ACT_SCALE = 0.05f;

    enum Form { FULL }

    record Variant(String label, Form form, boolean s8Act, boolean s8Weights, boolean perChannel, boolean floatPool) {
        Variant(String label, Form form, boolean s8Act, boolean s8Weights, boolean perChannel) {
            this(label, form, s8Act, s8Weights, perChannel, false);
        }
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant("full u8 act, u8 w (zp 128), per-channel", Form.FULL, false, false, true),
            new Variant("full u8 act, s8 w, per-channel", Form.FULL, false, true, true),
            new Variant("full u8 act, s8 w, per-tensor", Form.FULL, false, true, false),
            new Variant("full s8 act, s8 w, per-channel", Form.FULL, true, true, true),
            new Variant("full u8 act, u8 w (zp 128), per-tensor", Form.FULL, false, false, false),
            new Variant("full u8 act, s8 w, per-channel, float GlobalAveragePool", Form.FULL, false, true, true, true));

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("saturation")) {
            saturation();
            return;
        }
        if (args.length > 0 && args[0].equals("accuracy")) {
            accuracy(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        List<String> models = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
                : List.of("resnet20", "mobilenet-v1-0.5");
        Path out = Path.of(System.getProperty("study.out", "target/int8-study"));
        Files.createDirectories(out);
        for (String name : models) {
            for (boolean pruned : new boolean[] {false, true}) {
                study(name, pruned, rounds, out);
            }
        }
    }

    /**
     * Does QLinearConv with u8 activations x s8 weights saturate on this CPU? A 1x1 conv over 64 channels of code 255
     * with every weight code {@code w}: exact sum 64 * 255 * w; requantized with scale 10000 (u8 output).
     */
    static void saturation() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int w : new int[] {127, 100, 64, 63}) {
            GraphProto.Builder g = GraphProto.newBuilder().setName("sat");
            g.addInput(valueInfo("x", new long[] {64, 1, 1}));
            g.addInitializer(tensor("one", TensorProto.DataType.FLOAT.getNumber(), floats(new float[] {1f}), new int[0]));
            g.addInitializer(tensor("zp_u8", TensorProto.DataType.UINT8.getNumber(), new byte[] {0}, new int[0]));
            g.addInitializer(tensor("zp_s8", TensorProto.DataType.INT8.getNumber(), new byte[] {0}, new int[0]));
            g.addInitializer(tensor("out_scale", TensorProto.DataType.FLOAT.getNumber(), floats(new float[] {10000f}),
                    new int[0]));
            byte[] codes = new byte[16 * 64];
            Arrays.fill(codes, (byte) w);
            g.addInitializer(tensor("w", TensorProto.DataType.INT8.getNumber(), codes, new int[] {16, 64, 1, 1}));
            g.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").addInput("x").addInput("one")
                    .addInput("zp_u8").addOutput("xq"));
            g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").addInput("xq").addInput("one")
                    .addInput("zp_u8").addOutput("xd"));
            g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").addInput("w").addInput("one")
                    .addInput("zp_s8").addOutput("wd"));
            g.addNode(NodeProto.newBuilder().setOpType("Conv").addInput("xd").addInput("wd").addOutput("y"));
            g.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").addInput("y").addInput("out_scale")
                    .addInput("zp_u8").addOutput("yq"));
            g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").addInput("yq").addInput("out_scale")
                    .addInput("zp_u8").addOutput(OnnxExport.OUTPUT));
            g.addOutput(valueInfo(OnnxExport.OUTPUT, new long[] {16, 1, 1}));
            byte[] model = ModelProto.newBuilder().setIrVersion(OnnxExport.IR_VERSION).setGraph(g)
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxExport.OPSET))
                    .build().toByteArray();
            float[] x = new float[64];
            Arrays.fill(x, 255f);
            Path optimized = Files.createTempFile("sat", ".onnx");
            try (OrtSession s = session(env, model, OrtSession.SessionOptions.OptLevel.ALL_OPT, null,
                    optimized.toString());
                    OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 64, 1, 1});
                    OrtSession.Result r = s.run(Map.of("x", in))) {
                float y = ((float[][][][]) r.get(0).getValue())[0][0][0][0];
                List<String> ops = ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeList()
                        .stream().map(NodeProto::getOpType).toList();
                System.out.printf(Locale.ROOT, "weight code %d: exact %d, ONNX Runtime %.0f (%s) ops %s%n", w,
                        64L * 255 * w, y, Math.abs(y - 64L * 255 * w) <= 5000 ? "exact" : "SATURATED", ops);
            }
            Files.deleteIfExists(optimized);
        }
    }

    /**
     * What the quantized tensors cost in accuracy: ResNet-20 trained {@code epochs} epochs on {@code limit}
     * Fashion-MNIST images, post-training quantized (8-bit inputs and tensors, percentile 99.99 on 512 images), top-1
     * on the test split simulated with and without the quantized tensors, and in ONNX Runtime.
     */
    static void accuracy(int limit, int epochs) throws Exception {
        var data = dev.pocketmesh.nn.data.DatasetLoader.load(new dev.pocketmesh.spec.JobSpec.Dataset("idx",
                "/usr/share/datasets/fashion-mnist", limit), 7);
        NetSpec net = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        ai.djl.Device[] cpu = {ai.djl.Device.cpu()};
        var trained = dev.pocketmesh.nn.train.ModelTrainer.train(net, null, data.train(), data.validation(),
                new dev.pocketmesh.nn.train.TrainingConfig(epochs, 128, 0.05, "sgd", "cosine", 5e-4, 0.9, 7), cpu,
                (st, w) -> System.out.printf(Locale.ROOT, "epoch %d validation %.4f%n", st.epoch(),
                        st.validationAccuracy()));
        var test = data.test();
        try (var fp32 = dev.pocketmesh.nn.measure.LoadedModel.load(net, trained.weights(), ai.djl.Device.cpu())) {
            System.out.printf(Locale.ROOT, "fp32 test top-1 %.4f (%d images)%n", fp32.accuracy(test, 256).top1(),
                    test.size());
        }
        for (int bits : new int[] {8, 7}) {
            var settings = new dev.pocketmesh.nn.learn.QuantizationRecipe.Settings("ptq", bits, Map.of(), true, true,
                    dev.pocketmesh.nn.compress.Calibration.PERCENTILE, 99.99, 512, 8, false);
            ModelFiles q = dev.pocketmesh.nn.learn.QuantizationRecipe.run(new ModelFiles(net, trained.weights()),
                    settings, data, new dev.pocketmesh.nn.train.TrainingConfig(0, 128, 0.01, "sgd", "cosine", 5e-4,
                            0.9, 7), cpu, null, (st, w) -> {
                            }).model();
            ModelFiles without = ModelFiles.packed(q.spec(), new PackedWeights(q.packed().tensors(),
                    q.packed().activations()));
            for (ModelFiles m : List.of(without, q)) {
                try (var sim = dev.pocketmesh.nn.measure.LoadedModel.load(m, ai.djl.Device.cpu());
                        OnnxRuntimeModel ort = OnnxRuntimeModel.load(m.onnx(), m.spec(), 1)) {
                    System.out.printf(Locale.ROOT, "%d-bit weights, %s quantized tensors: simulated %.4f, ONNX Runtime "
                            + "%.4f%n", bits, m == q ? "with" : "without", sim.accuracy(test, 256).top1(),
                            ort.accuracy(test, 256).top1());
                }
            }
        }
    }

    static NetSpec network(String name) {
        String prefix = "mobilenet-v1-";
        return name.startsWith(prefix) ? ModelZoo.mobilenetV1(Double.parseDouble(name.substring(prefix.length())), 1,
                28, 28, 10) : ModelZoo.byName(name, 1, 28, 28, 10);
    }

    static void study(String name, boolean pruned, int rounds, Path out) throws Exception {
        NetSpec net = network(name);
        Weights weights = RandomWeights.of(net, 7);
        if (pruned) {
            Map<String, Double> ratios = ChannelPruningLearner.uniformRatios(net, 2.0,
                    ChannelPruningLearner.DEFAULT_CHANNEL_MULTIPLE);
            PrunedModel p = WeightPruner.prune(net, weights, PruningUnits.keepCounts(net, ratios),
                    ChannelCriterion.L1_NORM, null, 7);
            net = p.spec();
            weights = p.weights();
        }
        ModelFiles folded = BatchNormFolding.fold(net, weights);
        LinkedHashMap<String, byte[]> graphs = new LinkedHashMap<>();
        graphs.put("fp32", OnnxExport.fp32(net, weights));
        graphs.put("today (QDQ on conv inputs, u8 w zp 128)", OnnxExport.quantized(folded.spec(),
                todaysPacked(folded, 8, false)));
        graphs.put("new export: quantized tensors, 7-bit s8 w", OnnxExport.quantized(folded.spec(),
                todaysPacked(folded, 7, true)));
        boolean quick = Boolean.getBoolean("study.quick"); // the exporter's forms and the best hand-built one only
        for (Variant v : quick ? VARIANTS.subList(1, 2) : VARIANTS) {
            graphs.put(v.label(), new StudyGraph(folded.spec(), folded.weights(), v).build());
        }
        String model = name + (pruned ? " pruned 2x" : "");
        System.out.printf("%n## %s%n", model);
        List<String> labels = new ArrayList<>();
        List<byte[]> files = new ArrayList<>();
        List<OrtSession.SessionOptions.OptLevel> levels = new ArrayList<>();
        for (var e : graphs.entrySet()) {
            for (var level : quick ? List.of(OrtSession.SessionOptions.OptLevel.ALL_OPT)
                    : List.of(OrtSession.SessionOptions.OptLevel.ALL_OPT, OrtSession.SessionOptions.OptLevel.EXTENDED_OPT)) {
                labels.add(e.getKey() + (level == OrtSession.SessionOptions.OptLevel.ALL_OPT ? " | ALL" : " | EXTENDED"));
                files.add(e.getValue());
                levels.add(level);
            }
        }
        time(model, net, labels, files, levels, rounds);
        profile(model, net, labels, files, levels, out);
    }

    /**
     * The exporter's input: symmetric per-channel weights of {@code bits}, every weight layer's input quantized (scale
     * fixed), and with {@code tensors} the quantized tensors of {@link TensorQuantization} (before this study's change
     * the export had none).
     */
    static PackedWeights todaysPacked(ModelFiles folded, int bits, boolean tensors) {
        Map<String, EncodedTensor> encoded = new LinkedHashMap<>();
        folded.weights().asMap().forEach((k, t) -> encoded.put(k, new EncodedTensor.Dense(t)));
        Map<String, ActivationQuant> activations = new LinkedHashMap<>();
        QuantScheme scheme = new QuantScheme(bits, true, true);
        for (String layer : WeightLayers.names(folded.spec())) {
            Tensor w = folded.weights().get(layer, Weights.WEIGHT);
            encoded.put(Weights.key(layer, Weights.WEIGHT),
                    EncodedTensor.Quantized.of(w, scheme, UniformQuantizer.minMax(w, scheme)));
            // Post-Relu inputs calibrate to [0, hi]: zero point 0 (every conv and linear here but the stem).
            activations.put(layer, new ActivationQuant(8, ACT_SCALE, layer.equals("conv1") ? 128 : 0));
        }
        Map<String, ActivationQuant> outputs = new LinkedHashMap<>();
        if (tensors) {
            for (String point : TensorQuantization.points(folded.spec())) {
                boolean afterRelu = folded.spec().layer(point).orElse(null) instanceof Layer.Relu;
                outputs.put(point, new ActivationQuant(8, ACT_SCALE, afterRelu ? 0 : 128));
            }
        }
        return new PackedWeights(encoded, activations, outputs);
    }

    private static OrtSession session(OrtEnvironment env, byte[] onnx, OrtSession.SessionOptions.OptLevel level,
            String profile, String optimized) throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(level);
            if (profile != null) {
                options.enableProfiling(profile);
            }
            if (optimized != null) {
                options.setOptimizedModelFilePath(optimized);
            }
            return env.createSession(onnx, options);
        }
    }

    /** Rounds of 10 runs per graph in shuffled order; medians of all runs, and the median of per-round ratios. */
    static void time(String model, NetSpec net, List<String> labels, List<byte[]> files,
            List<OrtSession.SessionOptions.OptLevel> levels, int rounds) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int n = files.size();
        int perRound = 10;
        List<OrtSession> sessions = new ArrayList<>();
        float[] image = new float[(int) net.input().elements()];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        long[] shape = {1, net.input().channels(), net.input().height(), net.input().width()};
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), shape)) {
            for (int m = 0; m < n; m++) {
                sessions.add(session(env, files.get(m), levels.get(m), null, null));
            }
            Map<String, OnnxTensor> inputs = Map.of(OnnxExport.INPUT, input);
            for (OrtSession s : sessions) {
                for (int i = 0; i < 100; i++) {
                    s.run(inputs).close();
                }
            }
            double[][] all = new double[n][rounds * perRound];
            double[][] roundMedian = new double[n][rounds];
            List<Integer> order = new ArrayList<>();
            for (int m = 0; m < n; m++) {
                order.add(m);
            }
            java.util.Random shuffle = new java.util.Random(11);
            for (int r = 0; r < rounds; r++) {
                Collections.shuffle(order, shuffle);
                for (int m : order) {
                    double[] times = new double[perRound];
                    for (int i = 0; i < perRound; i++) {
                        long start = System.nanoTime();
                        sessions.get(m).run(inputs).close();
                        times[i] = (System.nanoTime() - start) / 1e6;
                    }
                    System.arraycopy(times, 0, all[m], r * perRound, perRound);
                    roundMedian[m][r] = median(times);
                }
            }
            double base = median(all[0]); // fp32 | ALL
            System.out.printf("| %s | graph form | ORT level | median ms | speedup vs fp32 ALL | median of per-round ratios |%n",
                    model);
            System.out.println("|---|---|---|---:|---:|---:|");
            for (int m = 0; m < n; m++) {
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = roundMedian[0][r] / roundMedian[m][r];
                }
                String[] parts = labels.get(m).split(" \\| ");
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f | %.2fx | %.2fx |%n", model, parts[0], parts[1],
                        median(all[m]), base / median(all[m]), median(ratios));
            }
        } finally {
            for (OrtSession s : sessions) {
                s.close();
            }
        }
    }

    /** ORT's per-operator profile (µs per run) and the optimized graph's operator counts, for each graph. */
    static void profile(String model, NetSpec net, List<String> labels, List<byte[]> files,
            List<OrtSession.SessionOptions.OptLevel> levels, Path out) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int runs = 200;
        float[] image = new float[(int) net.input().elements()];
        Arrays.fill(image, 0.5f);
        long[] shape = {1, net.input().channels(), net.input().height(), net.input().width()};
        System.out.printf("%n| %s | graph form | ORT level | kernel µs per run by operator | optimized graph ops |%n|---|---|---|---|---|%n", model);
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), shape)) {
            for (int m = 0; m < files.size(); m++) {
                String tag = model.replace(' ', '_') + "-" + m;
                Path optimized = out.resolve(tag + ".optimized.onnx");
                OrtSession s = session(env, files.get(m), levels.get(m), out.resolve(tag).toString(),
                        optimized.toString());
                for (int i = 0; i < 50; i++) {
                    s.run(Map.of(OnnxExport.INPUT, input)).close();
                }
                // Profile events from warm-up are included; runs dominate (runs >> warm-up is not needed: per-run
                // averages below divide by all runs made).
                for (int i = 0; i < runs; i++) {
                    s.run(Map.of(OnnxExport.INPUT, input)).close();
                }
                String file = s.endProfiling();
                s.close();
                var events = Json.tree(Files.readString(Path.of(file)));
                Map<String, Double> ops = OnnxRuntimeModel.perOperator(events, runs + 50);
                Map<String, Double> groups = perLayerGroup(events, runs + 50);
                Files.deleteIfExists(Path.of(file));
                Map<String, Integer> counts = new TreeMap<>();
                for (NodeProto node : ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeList()) {
                    counts.merge(node.getOpType(), 1, Integer::sum);
                }
                String[] parts = labels.get(m).split(" \\| ");
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", model, parts[0], parts[1],
                        operatorLine(ops), counts);
                System.out.printf(Locale.ROOT, "|   | by layer group (µs) | | %s | |%n", groups.entrySet().stream()
                        .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                        .collect(java.util.stream.Collectors.joining(" · ")));
            }
        }
    }

    /**
     * Kernel µs per run by layer group: the node name up to its first '.' ("s2" = ResNet stage 2, "b7" = MobileNet
     * block 7, "conv1" = the stem), in graph order; ONNX Runtime keeps the layer's name as the prefix of a fused node.
     */
    static Map<String, Double> perLayerGroup(com.fasterxml.jackson.databind.JsonNode events, int runs) {
        Map<String, Double> micros = new LinkedHashMap<>();
        for (var e : events) {
            String name = e.path("name").asText();
            if ("Node".equals(e.path("cat").asText()) && name.endsWith("_kernel_time")) {
                String group = name.contains(".") ? name.substring(0, name.indexOf('.')) : "other";
                micros.merge(group, e.path("dur").asDouble() / runs, Double::sum);
            }
        }
        return micros;
    }

    static String operatorLine(Map<String, Double> micros) {
        return micros.entrySet().stream().filter(e -> e.getValue() >= 1)
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(" · "));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** A fully quantized QDQ graph of a batch-norm-folded spec. */
    static final class StudyGraph {
        private final NetSpec spec;
        private final Weights weights;
        private final Variant v;
        private final GraphProto.Builder g;
        private final Map<String, String> tensorOf = new HashMap<>();
        private int count;

        StudyGraph(NetSpec spec, Weights weights, Variant v) {
            this.spec = spec;
            this.weights = weights;
            this.v = v;
            this.g = GraphProto.newBuilder().setName(spec.name() + "-study");
        }

        private int actType() {
            return (v.s8Act() ? TensorProto.DataType.INT8 : TensorProto.DataType.UINT8).getNumber();
        }

        /** The zero point of a tensor that may be negative (mid) or that follows a Relu (the type's minimum). */
        private int zeroPoint(boolean afterRelu) {
            return v.s8Act() ? (afterRelu ? -128 : 0) : (afterRelu ? 0 : 128);
        }

        byte[] build() {
            g.addInput(valueInfo(OnnxExport.INPUT, new long[] {spec.input().channels(), spec.input().height(),
                    spec.input().width()}));
            String x = qdq(OnnxExport.INPUT, "input", false);
            boolean afterRelu = false;
            List<Layer> layers = spec.layers();
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                boolean reluNext = i + 1 < layers.size() && layers.get(i + 1) instanceof Layer.Relu r
                        && r.max() == null;
                String name = layer.name();
                if (layer instanceof Layer.Conv2d c) {
                    String y = conv(c, x);
                    afterRelu = reluNext;
                    if (reluNext) {
                        y = relu(y);
                    }
                    x = qdq(y, name, afterRelu);
                } else if (layer instanceof Layer.Add add) {
                    String other = tensorOf.get(add.from());
                    if (add.shortcut() != null) {
                        other = qdq(conv(add.shortcut().conv(), other), add.shortcut().conv().name(), false);
                    }
                    String y = node("Add", name, x, other);
                    afterRelu = reluNext;
                    if (reluNext) {
                        y = relu(y);
                    }
                    x = qdq(y, name, afterRelu);
                } else if (layer instanceof Layer.GlobalAvgPool) {
                    x = node("GlobalAveragePool", name, x);
                    if (!v.floatPool()) {
                        x = qdq(x, name, afterRelu);
                    }
                } else if (layer instanceof Layer.Flatten) {
                    String y = node("Flatten", name, x);
                    x = qdq(y, name, afterRelu);
                } else if (layer instanceof Layer.Linear l) {
                    String w = weight(name, ACT_SCALE);
                    List<String> in = new ArrayList<>(List.of(x, w));
                    if (l.bias()) {
                        in.add(bias(name));
                    }
                    g.addNode(NodeProto.newBuilder().setOpType("Gemm").setName(name).addAllInput(in)
                            .addOutput(OnnxExport.OUTPUT).addAttribute(AttributeProto.newBuilder().setName("transB")
                                    .setType(AttributeProto.AttributeType.INT).setI(1)));
                    x = OnnxExport.OUTPUT;
                } else {
                    throw new IllegalArgumentException("study graph: no " + layer.getClass().getSimpleName());
                }
                tensorOf.put(name, x);
                if (reluNext && !(layer instanceof Layer.Linear)) {
                    tensorOf.put(layers.get(i + 1).name(), x);
                    i++;
                }
            }
            g.addOutput(valueInfo(OnnxExport.OUTPUT, new long[] {spec.numClasses()}));
            return ModelProto.newBuilder().setIrVersion(OnnxExport.IR_VERSION).setProducerName("int8-study")
                    .setGraph(g).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("")
                            .setVersion(OnnxExport.OPSET)).build().toByteArray();
        }

        private String relu(String x) {
            return node("Relu", x + "/relu", x);
        }

        private String node(String op, String name, String... inputs) {
            String out = name + "/" + op + (count++);
            g.addNode(NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(Arrays.asList(inputs))
                    .addOutput(out));
            return out;
        }

        private String conv(Layer.Conv2d c, String x) {
            List<String> in = new ArrayList<>(List.of(x, weight(c.name(), ACT_SCALE)));
            if (weights.find(c.name(), Weights.BIAS).isPresent()) {
                in.add(bias(c.name()));
            }
            String out = c.name() + "/conv";
            g.addNode(NodeProto.newBuilder().setOpType("Conv").setName(out).addAllInput(in).addOutput(out)
                    .addAttribute(ints("kernel_shape", c.kernel(), c.kernel()))
                    .addAttribute(ints("strides", c.stride(), c.stride()))
                    .addAttribute(ints("pads", c.padding(), c.padding(), c.padding(), c.padding()))
                    .addAttribute(AttributeProto.newBuilder().setName("group")
                            .setType(AttributeProto.AttributeType.INT).setI(c.groups())));
            return out;
        }

        private final Map<String, float[]> weightScales = new HashMap<>();

        /** Symmetric 8-bit weight codes behind DequantizeLinear: s8 (zp 0) or u8 (code + 128, zp 128). */
        private String weight(String layer, float actScale) {
            Tensor w = weights.get(layer, Weights.WEIGHT);
            int channels = w.dim(0);
            int per = w.size() / channels;
            float[] scale = new float[v.perChannel() ? channels : 1];
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < per; i++) {
                    int s = v.perChannel() ? c : 0;
                    scale[s] = Math.max(scale[s], Math.abs(w.data()[c * per + i]) / 127f);
                }
            }
            for (int s = 0; s < scale.length; s++) {
                scale[s] = Math.max(scale[s], 1e-8f);
            }
            byte[] codes = new byte[w.size()];
            int shift = v.s8Weights() ? 0 : 128;
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < per; i++) {
                    int q = Math.round(w.data()[c * per + i] / scale[v.perChannel() ? c : 0]);
                    codes[c * per + i] = (byte) (Math.max(-127, Math.min(127, q)) + shift);
                }
            }
            weightScales.put(layer, scale);
            int type = (v.s8Weights() ? TensorProto.DataType.INT8 : TensorProto.DataType.UINT8).getNumber();
            byte[] zp = new byte[scale.length];
            Arrays.fill(zp, (byte) shift);
            return dequantize(Weights.key(layer, Weights.WEIGHT), type, codes, w.shape(), scale, zp,
                    v.perChannel() ? new int[] {channels} : new int[0]);
        }

        private String bias(String layer) {
            float[] b = weights.get(layer, Weights.BIAS).data();
            float[] ws = weightScales.get(layer);
            float[] scale = new float[b.length];
            ByteBuffer codes = ByteBuffer.allocate(4 * b.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < b.length; c++) {
                scale[c] = ACT_SCALE * ws[ws.length == 1 ? 0 : c];
                codes.putInt(Math.round(b[c] / scale[c]));
            }
            return dequantize(Weights.key(layer, Weights.BIAS), TensorProto.DataType.INT32.getNumber(),
                    codes.array(), new int[] {b.length}, scale, new byte[4 * b.length], new int[] {b.length});
        }

        private String dequantize(String name, int type, byte[] codes, int[] shape, float[] scale, byte[] zp,
                int[] paramDims) {
            g.addInitializer(tensor(name + "/codes", type, codes, shape));
            g.addInitializer(tensor(name + "/scale", TensorProto.DataType.FLOAT.getNumber(), floats(scale),
                    paramDims));
            g.addInitializer(tensor(name + "/zero_point", type, zp, paramDims));
            NodeProto.Builder dq = NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "/dq")
                    .addInput(name + "/codes").addInput(name + "/scale").addInput(name + "/zero_point")
                    .addOutput(name);
            if (paramDims.length > 0) {
                dq.addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                        .setI(0));
            }
            g.addNode(dq);
            return name;
        }

        private String qdq(String x, String name, boolean afterRelu) {
            String scale = name + "/act_scale";
            String zp = name + "/act_zp";
            g.addInitializer(tensor(scale, TensorProto.DataType.FLOAT.getNumber(), floats(new float[] {ACT_SCALE}),
                    new int[0]));
            g.addInitializer(tensor(zp, actType(), new byte[] {(byte) zeroPoint(afterRelu)}, new int[0]));
            String q = name + "/q";
            String dq = name + "/dq_out";
            g.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").setName(q).addInput(x).addInput(scale)
                    .addInput(zp).addOutput(q));
            g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(dq).addInput(q).addInput(scale)
                    .addInput(zp).addOutput(dq));
            return dq;
        }
    }

    static TensorProto tensor(String name, int type, byte[] raw, int[] shape) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(raw));
        for (int d : shape) {
            t.addDims(d);
        }
        return t.build();
    }

    static byte[] floats(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : values) {
            a.addInts(x);
        }
        return a.build();
    }

    static ValueInfoProto valueInfo(String name, long[] perExample) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : perExample) {
            dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(dims)))
                .build();
    }
}
