package dev.pocketmesh.cli.bench;

import ai.djl.Device;
import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.nn.compress.Calibration;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.learn.QuantizationRecipe;
import dev.pocketmesh.nn.measure.LatencyMeter;
import dev.pocketmesh.nn.measure.LatencyModel;
import dev.pocketmesh.nn.onnx.OnnxRuntimeModel;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.nn.prune.PrunedModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.prune.WeightPruner;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Latency of deployable models in ONNX Runtime at batch 1 with a pinned thread count: the fp32 baseline, the
 * baseline pruned to 2x fewer FLOPs, the baseline quantized to int8 (QDQ export, post-training calibration) and the
 * pruned model quantized to int8, all four timed interleaved in one run so each speedup is one measured ratio.
 * Latency does not depend on the weights' values, so the networks carry seeded random weights (batch norms
 * included, folded before quantization) and calibration uses real Fashion-MNIST images; accuracy of the same
 * exports on trained models is {@code bench learners}'s ONNX Runtime column.
 */
public final class DeployBenchmark {
    /** Targets of issue #6, as speedups over the fp32 baseline. */
    static final Map<String, Double> TARGETS = Map.of("pruned 2x", 1.6, "int8", 1.8, "pruned 2x + int8", 3.0);
    static final List<String> VARIANTS = List.of("fp32", "pruned 2x", "int8", "pruned 2x + int8");
    /** Target of issue #6 for the latency model: median |estimate − measured| ÷ measured over the fp32 rows. */
    static final double LATENCY_MODEL_TARGET_PCT = 15;
    /** Profiled runs per variant for the by-operator breakdown (at most the timed runs), after the timed runs. */
    static final int PROFILED_RUNS = 200;

    public record Settings(List<String> models, int threads, int warmup, int runs, long seed) {
    }

    /**
     * One variant's latency; {@code estimatedMs} is the latency model's estimate (fp32 variants only: the table holds
     * fp32 pieces), null for the int8 ones; {@code operatorMicros}: ONNX Runtime's profiler, microseconds per run by
     * operator as the runtime runs the graph, largest first.
     */
    public record Row(String model, String variant, double flopsRatio, long onnxBytes, double medianMs, double p90Ms,
            double speedup, Double estimatedMs, Map<String, Double> operatorMicros) {
        /** Signed error of the estimate in percent of the measured median, or null. */
        public Double estimateErrorPct() {
            return estimatedMs == null ? null : 100 * (estimatedMs - medianMs) / medianMs;
        }

        Double target() {
            return TARGETS.get(variant);
        }

        boolean met() {
            return target() == null || speedup >= target();
        }

        String markdownRow() {
            return String.format(Locale.ROOT, "| %s | %s | %.2fx | %d | %.3f | %.3f | %.2fx | %s | %s |", model,
                    variant, flopsRatio, onnxBytes, medianMs, p90Ms, speedup,
                    target() == null ? "—" : String.format(Locale.ROOT, "≥ %.1fx %s", target(), met() ? "met" : "NOT met"),
                    estimatedMs == null ? "—" : String.format(Locale.ROOT, "%.3f (%+.1f %%)", estimatedMs,
                            estimateErrorPct()));
        }
    }

    public record Report(Settings settings, String machine, String input, List<Row> rows) implements BenchReport {
        @Override
        public String benchmark() {
            return "deploy";
        }

        @Override
        public String markdown() {
            StringBuilder md = new StringBuilder("| model | variant | FLOPs ÷ | model.onnx bytes | median ms | p90 ms "
                    + "| speedup | target | latency model ms (error) |\n|---|---|---:|---:|---:|---:|---:|---|---:|\n");
            rows.forEach(r -> md.append(r.markdownRow()).append('\n'));
            md.append("\nWhere the time goes: ONNX Runtime's profiler, kernel µs per batch-1 run by operator as the "
                    + "runtime ran each graph after its optimisations (the four variants of a model profiled "
                    + "interleaved, after the timed runs; the profiler adds a little to each):\n\n"
                    + "| model | variant | operators |\n|---|---|---|\n");
            rows.forEach(r -> md.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", r.model(), r.variant(),
                    operatorLine(r.operatorMicros()))));
            md.append(String.format(Locale.ROOT, "%nLatency model (NetAdapt-style per-piece table, timed on this "
                    + "machine with the same thread count): median |error| %.1f %% over the fp32 rows (target ≤ %.0f %%, "
                    + "%s).%n", latencyModelMedianErrorPct(), LATENCY_MODEL_TARGET_PCT,
                    latencyModelMet() ? "met" : "NOT met"));
            md.append(String.format(Locale.ROOT, "%nMachine: %s. Input %s, batch 1, ONNX Runtime with %d intra-op "
                    + "thread(s), all graph optimisations; %d warm-up runs, then %d timed runs per model interleaved "
                    + "over the four models. Pruned: one uniform L1 preserve ratio, the largest with 2x fewer FLOPs "
                    + "(channels multiple of 8). int8: QDQ export of per-channel symmetric weights as int8 codes of %d "
                    + "bits (8-bit codes times 8-bit inputs saturate ONNX Runtime's int8 kernels without VNNI) and "
                    + "8-bit layer inputs and quantized tensors (residual streams and sums, pooling input), "
                    + "calibrated (percentile 99.99) on 512 training images.%n", machine, input,
                    settings.threads(), settings.warmup(), settings.runs(), INT8_WEIGHT_BITS));
            return md.toString();
        }

        /** "QLinearConv 367 · DequantizeLinear 110 · ..." (µs) for the operators worth at least 1 µs. */
        static String operatorLine(Map<String, Double> micros) {
            return micros.entrySet().stream().filter(e -> e.getValue() >= 1)
                    .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                    .collect(java.util.stream.Collectors.joining(" · "));
        }

        public boolean targetsMet() {
            return rows.stream().allMatch(Row::met) && latencyModelMet();
        }

        /** Median of |estimate − measured| ÷ measured in percent over the rows with an estimate. */
        public double latencyModelMedianErrorPct() {
            double[] errors = rows.stream().filter(r -> r.estimatedMs() != null)
                    .mapToDouble(r -> Math.abs(r.estimateErrorPct())).sorted().toArray();
            return errors.length == 0 ? Double.NaN : dev.pocketmesh.stats.Quantiles.of(errors, 0.5);
        }

        boolean latencyModelMet() {
            return latencyModelMedianErrorPct() <= LATENCY_MODEL_TARGET_PCT;
        }
    }

    private final Settings settings;
    private final Consumer<String> log;

    public DeployBenchmark(Settings settings, Consumer<String> log) {
        this.settings = settings;
        this.log = log;
    }

    /** Zoo names plus {@code mobilenet-v1-<width>} (for example {@code mobilenet-v1-0.5}). */
    static NetSpec network(String name, int channels, int h, int w, int classes) {
        String prefix = "mobilenet-v1-";
        if (name.startsWith(prefix)) {
            return ModelZoo.mobilenetV1(Double.parseDouble(name.substring(prefix.length())), channels, h, w, classes);
        }
        return ModelZoo.byName(name, channels, h, w, classes);
    }

    public Report run(DataSplits data) throws Exception {
        var shape = data.train().shape();
        List<Row> rows = new ArrayList<>();
        // One table for the run: pieces shared by the models (and by baseline and pruned) are timed once.
        LatencyModel latencyModel = new LatencyModel(Map.of(), settings.threads(), settings.warmup(), settings.runs(),
                settings.seed());
        for (String name : settings.models()) {
            NetSpec net = network(name, shape.channels(), shape.height(), shape.width(), data.train().numClasses());
            ModelFiles fp32 = new ModelFiles(net, RandomWeights.of(net, settings.seed()));
            ModelFiles prunedFp32 = pruned2x(fp32, settings.seed());
            List<ModelFiles> variants = List.of(fp32, prunedFp32, int8(fp32, data, settings.seed()),
                    int8(prunedFp32, data, settings.seed()));
            List<OnnxRuntimeModel> loaded = new ArrayList<>();
            List<byte[]> files = new ArrayList<>();
            try {
                for (ModelFiles v : variants) {
                    byte[] onnx = v.onnx();
                    files.add(onnx);
                    loaded.add(OnnxRuntimeModel.load(onnx, v.spec(), settings.threads()));
                }
                List<LatencyMeter.Latency> latency = LatencyMeter.measure(loaded, settings.warmup(), settings.runs(),
                        settings.seed());
                float[] image = java.util.Arrays.copyOfRange(data.train().pixels(), 0, data.train().imageElements());
                List<Map<String, Double>> operators = OnnxRuntimeModel.operatorMicros(files,
                        variants.stream().map(ModelFiles::spec).toList(), settings.threads(), image, Math.min(PROFILED_RUNS, settings.runs()));
                double baseFlops = CostModel.of(net).flops();
                for (int i = 0; i < variants.size(); i++) {
                    // The fp32 variants (the first two) are what the latency model's table describes.
                    Double estimate = i < 2 ? latencyModel.estimateMs(variants.get(i).spec()) : null;
                    Row row = new Row(name, VARIANTS.get(i), baseFlops / CostModel.of(variants.get(i).spec()).flops(),
                            files.get(i).length, latency.get(i).medianMs(), latency.get(i).p90Ms(),
                            latency.get(0).medianMs() / latency.get(i).medianMs(), estimate, operators.get(i));
                    log.accept(row.markdownRow());
                    rows.add(row);
                }
            } finally {
                loaded.forEach(OnnxRuntimeModel::close);
            }
        }
        return new Report(settings, BenchMachine.describe(), shape.channels() + "x" + shape.height() + "x"
                + shape.width(), rows);
    }

    /** Weight bits of the int8 variants: 7-bit codes in int8, which ONNX Runtime's AVX2 int8 kernels never saturate. */
    static final int INT8_WEIGHT_BITS = 7;

    /** "pruned 2x": one uniform L1 preserve ratio, the largest with 2x fewer FLOPs (channels multiples of 8). */
    public static ModelFiles pruned2x(ModelFiles fp32, long seed) {
        NetSpec net = fp32.spec();
        Map<String, Double> ratios = ChannelPruningLearner.uniformRatios(net, 2.0,
                ChannelPruningLearner.DEFAULT_CHANNEL_MULTIPLE);
        PrunedModel pruned = WeightPruner.prune(net, fp32.weights(), PruningUnits.keepCounts(net, ratios),
                ChannelCriterion.L1_NORM, null, seed);
        return new ModelFiles(pruned.spec(), pruned.weights());
    }

    /** The "int8" form of a variant: PTQ with 7-bit int8 weight codes, 8-bit inputs and tensors, calibrated on data. */
    public static ModelFiles int8(ModelFiles model, DataSplits data, long seed) throws Exception {
        QuantizationRecipe.Settings s = new QuantizationRecipe.Settings("ptq", INT8_WEIGHT_BITS, Map.of(), true, true,
                Calibration.PERCENTILE, 99.99, 512, 8, false);
        TrainingConfig none = new TrainingConfig(0, 128, 0.01, "sgd", "cosine", 5e-4, 0.9, seed);
        return QuantizationRecipe.run(model, s, data, none, new Device[] {Device.cpu()}, null, (st, w) -> {
        }).model();
    }
}
