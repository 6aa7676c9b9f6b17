package dev.pocketmesh.cli.bench;

import ai.djl.Device;
import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.compress.Calibration;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.onnx.OnnxRuntimeModel;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.learn.ChannelPruningRecipe;
import dev.pocketmesh.nn.learn.CodebookRecipe;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.learn.QuantizationRecipe;
import dev.pocketmesh.nn.learn.SparsificationRecipe;
import dev.pocketmesh.nn.measure.LatencyMeter;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.nn.train.Distillation;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every learner on full Fashion-MNIST, in process (the model side, no mesh), against issue #5's targets. Per network:
 * train the baseline, then per method compress it and fine-tune (with and without distillation from the baseline),
 * and measure the result as stored: top-1 on the 10k test images with quantized arithmetic simulated exactly (DJL,
 * the packed weights decoded, layer inputs quantized), bytes of {@code weights.pmw} against the baseline's fp32
 * ONNX file.
 */
public final class LearnersBenchmark {

    /**
     * @param methodEpochs   fine-tuning epochs of the methods that need more than {@code fineTuneEpochs} (by method)
     * @param channelMultiple kept channel counts of {@code prune2x-int8} are multiples of this
     * @param baselineDir    when set, each network's trained baseline is read from {@code <dir>/<model>} if there,
     *                       else trained and written there, so a rerun of some methods compares to the same baseline
     * @param distilled       which of the with / without distillation rows run
     * @param fallbackLayers  the fallback front stops with this many layers in float (or all, when fewer)
     */
    public record Settings(List<String> models, List<String> methods, int baselineEpochs, int fineTuneEpochs,
            Map<String, Integer> methodEpochs, int batchSize, double learningRate, double fineTuneLearningRate,
            double temperature, double distillationWeight, int channelMultiple, Path baselineDir, Integer limit,
            long seed, Distilled distilled, int fallbackLayers) {
        public Settings {
            methodEpochs = Map.copyOf(methodEpochs);
        }

        /** The distillation variants a method runs in (PTQ trains nothing, so it has no distilled row). */
        boolean[] variants(String method) {
            boolean trains = !method.equals("ptq8");
            return switch (distilled) {
                case OFF -> new boolean[] {false};
                case ON -> trains ? new boolean[] {true} : new boolean[0];
                case BOTH -> trains ? new boolean[] {false, true} : new boolean[] {false};
            };
        }

        int fineTuneEpochs(String method) {
            return methodEpochs.getOrDefault(method, fineTuneEpochs);
        }
    }

    /** One method's target: the most accuracy it may lose (points) and the least it must shrink the bytes by. */
    record Target(double maxDropPoints, double minBytesRatio) {
        static final Target NONE = new Target(Double.NaN, Double.NaN);
    }

    /**
     * {@code finetune} compresses nothing: the baseline fine-tuned as a method would be (same epochs, learning rate
     * and distillation), a control for how much of a row's top-1 the extra training alone gives.
     */
    public static final List<String> METHODS = List.of("qat8", "ptq8", "mixed4", "sparse75", "sparse90", "codebook4",
            "prune2x-int8", "fallback", "finetune");

    static Target target(String method) {
        return switch (method) {
            case "qat8" -> new Target(0.2, 3.9);
            case "ptq8" -> new Target(0.5, Double.NaN);
            case "mixed4" -> new Target(1.0, 7);
            case "sparse75" -> new Target(0.5, 2.5);
            case "codebook4" -> new Target(1.0, Double.NaN);
            case "prune2x-int8" -> new Target(1.0, 8);
            default -> Target.NONE;
        };
    }

    /**
     * One compressed model. {@code baselinePackedBytes}: the float model written as weights.pmw, with the same
     * entropy coding the compressed file gets: what coding alone would save, for comparison with {@code bytesRatio}.
     */
    public record Row(String model, String method, boolean distilled, double baselineTop1, double top1,
            double onnxTop1, double dropPoints, long baselineBytes, long baselinePackedBytes, long bytes,
            double bytesRatio, double seconds, String detail) {

        boolean met() {
            Target t = target(method);
            return (Double.isNaN(t.maxDropPoints()) || dropPoints <= t.maxDropPoints())
                    && (Double.isNaN(t.minBytesRatio()) || bytesRatio >= t.minBytesRatio());
        }

        String markdownRow() {
            Target t = target(method);
            String goal = Double.isNaN(t.maxDropPoints()) ? "(report)" : String.format(Locale.ROOT, "drop ≤ %.1f%s",
                    t.maxDropPoints(), Double.isNaN(t.minBytesRatio()) ? ""
                            : String.format(Locale.ROOT, ", bytes ÷ ≥ %.1f", t.minBytesRatio()));
            return String.format(Locale.ROOT, "| %s | %s | %s | %.2f %% | %.2f %% | %.2f %% | %+.2f | %.2fx | %s | %s | %.0f s | %s |",
                    model, method, distilled ? "yes" : "no", baselineTop1 * 100, top1 * 100, onnxTop1 * 100,
                    -dropPoints, bytesRatio, goal, Double.isNaN(t.maxDropPoints()) ? "—" : met() ? "met" : "NOT met",
                    seconds, detail);
        }
    }

    /**
     * One point of the label-free fallback front: 4-bit post-training quantization with the {@code floatLayers} most
     * sensitive layers (by output divergence on unlabelled images) kept in float. {@code speedup}: batch-1 latency of
     * the baseline's fp32 model.onnx over this point's, in ONNX Runtime with one thread, the two timed interleaved.
     */
    public record FallbackPoint(String model, int floatLayers, List<String> keptFloat, double top1, double onnxTop1,
            long bytes, double bytesRatio, double speedup) {
    }

    /** Timed runs per model for a fallback point's speedup (after as many warm-up runs as a tenth of them). */
    static final int FALLBACK_LATENCY_RUNS = 1000;

    public record Report(Settings settings, String machine, List<Row> rows, List<FallbackPoint> fallback)
            implements BenchReport {
        @Override
        public String benchmark() {
            return "learners";
        }

        @Override
        public String markdown() {
            StringBuilder md = new StringBuilder();
            if (!rows.isEmpty()) { // a run of the fallback front alone has none
                md.append("| model | method | distilled | baseline top-1 | compressed top-1 | ONNX Runtime top-1 "
                        + "| Δ points | bytes ÷ | target | | time | how |\n"
                        + "|---|---|---|---:|---:|---:|---:|---:|---|---|---:|---|\n");
                rows.forEach(r -> md.append(r.markdownRow()).append('\n'));
            }
            if (!fallback.isEmpty()) {
                md.append("\nLabel-free fallback front: 4-bit weights (PTQ, 8-bit inputs), the layers most sensitive to "
                        + "quantization (output KL divergence on 512 unlabelled images) falling back to float one by one.\n\n"
                        + "Speedup: batch-1 latency of the baseline's fp32 model.onnx over the point's, ONNX Runtime, "
                        + "1 thread, timed interleaved.\n\n"
                        + "| model | layers in float | which | top-1 | ONNX Runtime top-1 | bytes ÷ | speedup |\n"
                        + "|---|---:|---|---:|---:|---:|---:|\n");
                fallback.forEach(f -> md.append(String.format(Locale.ROOT,
                        "| %s | %d | %s | %.2f %% | %.2f %% | %.2fx | %.2fx |%n", f.model(), f.floatLayers(),
                        f.keptFloat(), f.top1() * 100, f.onnxTop1() * 100, f.bytesRatio(), f.speedup())));
            }
            md.append(String.format(Locale.ROOT, "%nMachine: %s. Baseline %d epochs (lr %s); each method fine-tunes %d "
                    + "epochs (lr %s), distillation T = %s, weight %s; batch %d, seed %d. Top-1 on the 10k test images "
                    + "as stored (packed weights decoded, layer inputs quantized as at run time, in DJL); ONNX Runtime "
                    + "top-1: the exported model.onnx (QDQ for quantized models, integer kernels); bytes ÷ = the "
                    + "baseline's fp32 model.onnx over weights.pmw (packed codes, entropy-coded with zlib when that "
                    + "saves%s).%n", machine, settings.baselineEpochs(),
                    settings.learningRate(), settings.fineTuneEpochs(), settings.fineTuneLearningRate(),
                    settings.temperature(), settings.distillationWeight(), settings.batchSize(), settings.seed(),
                    rows.isEmpty() ? "" : "; the float model written the same way: " + rows.stream()
                            .map(r -> String.format(Locale.ROOT, "%s %.2fx", r.model(),
                                    (double) r.baselineBytes() / r.baselinePackedBytes())).distinct()
                            .collect(java.util.stream.Collectors.joining(", "))));
            return md.toString();
        }

        public boolean targetsMet() {
            return rows.stream().allMatch(Row::met);
        }
    }

    private final Settings settings;
    private final Consumer<String> log;

    public LearnersBenchmark(Settings settings, Consumer<String> log) {
        this.settings = settings;
        this.log = log;
    }

    /** Which rows run: with and without distillation (the table the issue asks for), or one of the two. */
    public enum Distilled {
        BOTH, OFF, ON
    }

    /**
     * Runs every row. {@code partial} receives the report so far after each row, so a run stopped early (a ResNet
     * table takes hours on 2 cores) still leaves its finished rows on disk.
     */
    public Report run(DataSplits data, Consumer<Report> partial) throws Exception {
        Device[] devices = Engines.devices("auto");
        Engines.setThreads(Runtime.getRuntime().availableProcessors());
        List<Row> rows = new ArrayList<>();
        List<FallbackPoint> fallback = new ArrayList<>();
        String machine = BenchMachine.describe();
        Runnable publishSoFar = () -> partial.accept(new Report(settings, machine, rows, fallback));
        for (String model : settings.models()) {
            var shape = data.train().shape();
            NetSpec net = ModelZoo.byName(model, shape.channels(), shape.height(), shape.width(),
                    data.train().numClasses());
            TrainingConfig base = new TrainingConfig(settings.baselineEpochs(), settings.batchSize(),
                    settings.learningRate(), "sgd", "cosine", 5e-4, 0.9, settings.seed());
            ModelFiles baseline = baseline(model, net, base, data, devices);
            List<String> methods = settings.methods().stream().filter(m -> !m.equals("fallback")).toList();
            double baselineTop1 = top1(baseline, data);
            long baselineBytes = baseline.onnx().length;
            long baselinePackedBytes = PackedWeights.dense(baseline.weights()).toBytes().length;
            log.accept(String.format(Locale.ROOT, "%s baseline: test top-1 %.2f %%, %d bytes (fp32 ONNX), %d bytes "
                    + "(fp32 weights.pmw)", model, baselineTop1 * 100, baselineBytes, baselinePackedBytes));
            TrainingConfig tuneDefault = base.withEpochs(settings.fineTuneEpochs())
                    .withLearningRate(settings.fineTuneLearningRate());
            Distillation teacher = new Distillation(net, baseline.weights(), settings.temperature(),
                    settings.distillationWeight());
            for (String method : methods) {
                for (boolean distilled : settings.variants(method)) {
                    long start = System.nanoTime();
                    TrainingConfig tune = tuneDefault.withEpochs(settings.fineTuneEpochs(method));
                    Compressed c = compress(method, baseline, data, tune, devices, distilled ? teacher : null);
                    double top1 = top1(c.model(), data);
                    double onnxTop1 = onnxTop1(c.model().onnx(), c.model().spec(), data);
                    // The control stays dense: written as the float model is for baselinePackedBytes.
                    long bytes = (c.model().packed() != null ? c.model().packed()
                            : PackedWeights.dense(c.model().weights())).toBytes().length;
                    Row row = new Row(model, method, distilled, baselineTop1, top1, onnxTop1,
                            (baselineTop1 - top1) * 100, baselineBytes, baselinePackedBytes, bytes,
                            (double) baselineBytes / bytes, (System.nanoTime() - start) / 1e9,
                            tune.epochs() == settings.fineTuneEpochs() ? c.detail()
                                    : c.detail() + String.format(Locale.ROOT, "; %d fine-tune epochs", tune.epochs()));
                    log.accept(row.markdownRow());
                    rows.add(row);
                    publishSoFar.run();
                }
            }
            if (settings.methods().contains("fallback")) {
                fallbackFront(model, baseline, baselineBytes, data, tuneDefault, devices, point -> {
                    fallback.add(point);
                    publishSoFar.run();
                });
            }
        }
        return new Report(settings, machine, rows, fallback);
    }

    /** The trained baseline: read from the baseline directory when an earlier run left it there, else trained. */
    private ModelFiles baseline(String model, NetSpec net, TrainingConfig config, DataSplits data, Device[] devices)
            throws Exception {
        Path stored = settings.baselineDir() == null ? null : settings.baselineDir().resolve(model);
        if (stored != null && Files.isDirectory(stored)) {
            ModelFiles read = ModelFiles.read(stored);
            if (!read.spec().equals(net)) {
                throw new IllegalArgumentException("--baseline-dir: " + stored + " holds another network than " + model
                        + " at this data's shape; remove it or name another directory");
            }
            log.accept(model + " baseline: read from " + stored);
            return read;
        }
        ModelTrainer.Result trained = ModelTrainer.train(net, null, data.train(), data.validation(), config, devices,
                epochLog(model + " baseline"));
        ModelFiles baseline = new ModelFiles(net, trained.weights());
        if (stored != null) {
            baseline.write(stored);
            log.accept(model + " baseline: written to " + stored);
        }
        return baseline;
    }

    /** Each point as it is measured: 0, 1, ... up to {@code fallbackLayers} layers kept in float. */
    private void fallbackFront(String model, ModelFiles baseline, long baselineBytes, DataSplits data,
            TrainingConfig tune, Device[] devices, Consumer<FallbackPoint> measured) throws Exception {
        int layers = Math.min(settings.fallbackLayers(),
                dev.pocketmesh.model.WeightLayers.names(baseline.spec()).size());
        try (OnnxRuntimeModel fp32 = OnnxRuntimeModel.load(baseline.onnx(), baseline.spec(), 1)) {
            for (int k = 0; k <= layers; k++) {
                measured.accept(fallbackPoint(model, k, baseline, fp32, baselineBytes, data, tune, devices));
            }
        }
    }

    /** The front's point with the {@code k} most sensitive layers in float, its accuracy, bytes and speedup. */
    private FallbackPoint fallbackPoint(String model, int k, ModelFiles baseline, OnnxRuntimeModel fp32,
            long baselineBytes, DataSplits data, TrainingConfig tune, Device[] devices) throws Exception {
        QuantizationRecipe.Settings s = new QuantizationRecipe.Settings("ptq", 4, Map.of(), true, true,
                Calibration.PERCENTILE, 99.99, 512, 8, true, null, k);
        var out = QuantizationRecipe.run(baseline, s, data, tune, devices, null, (stats, w) -> { });
        long bytes = out.model().packed().toBytes().length;
        @SuppressWarnings("unchecked")
        List<String> kept = (List<String>) out.summary().get("floatLayers");
        byte[] onnx = out.model().onnx(); // exported once: timed here, scored below
        double speedup;
        try (OnnxRuntimeModel point = OnnxRuntimeModel.load(onnx, out.model().spec(), 1)) {
            var latency = LatencyMeter.measure(List.of(fp32, point), FALLBACK_LATENCY_RUNS / 10,
                    FALLBACK_LATENCY_RUNS, settings.seed());
            speedup = latency.get(0).medianMs() / latency.get(1).medianMs();
        }
        FallbackPoint p = new FallbackPoint(model, k, kept, top1(out.model(), data),
                onnxTop1(onnx, out.model().spec(), data), bytes, (double) baselineBytes / bytes, speedup);
        log.accept(String.format(Locale.ROOT,
                "%s fallback %d %s: top-1 %.2f %% (ONNX Runtime %.2f %%), bytes ÷ %.2f, speedup %.2fx", model, k,
                kept, p.top1() * 100, p.onnxTop1() * 100, p.bytesRatio(), p.speedup()));
        return p;
    }

    private record Compressed(ModelFiles model, String detail) {
    }

    private Compressed compress(String method, ModelFiles baseline, DataSplits data, TrainingConfig tune,
            Device[] devices, Distillation teacher) throws Exception {
        ModelTrainer.Listener progress = epochLog(method + (teacher != null ? " +distill" : ""));
        return switch (method) {
            case "qat8" -> quantize(baseline, "qat", null, data, tune, devices, teacher, progress);
            case "ptq8" -> quantize(baseline, "ptq", null, data, tune, devices, null, progress);
            case "mixed4" -> quantize(baseline, "qat", 4.0, data, tune, devices, teacher, progress);
            case "sparse75", "sparse90" -> {
                double sparsity = method.equals("sparse75") ? 0.75 : 0.90;
                var out = SparsificationRecipe.run(baseline, new SparsificationRecipe.Settings(sparsity, Map.of(), true,
                        1, 0.0, 0.7, 3, 50), data, tune, devices, teacher, progress);
                yield new Compressed(out.model(), String.format(Locale.ROOT, "global GMP, sparsity %.3f",
                        (double) out.summary().get("sparsity")));
            }
            case "finetune" -> {
                ModelTrainer.Result tuned = ModelTrainer.train(baseline.spec(), baseline.weights(), data.train(),
                        data.validation(), tune, devices, progress, 0,
                        ModelTrainer.Extras.NONE.withDistillation(teacher));
                yield new Compressed(new ModelFiles(baseline.spec(), tuned.weights()), "no compression: the control");
            }
            case "codebook4" -> {
                var out = CodebookRecipe.run(baseline, 4, Map.of(), data, tune, devices, teacher, progress);
                yield new Compressed(out.model(), "k-means 16 centroids per layer");
            }
            case "prune2x-int8" -> {
                Map<String, Double> ratios = ChannelPruningLearner.uniformRatios(baseline.spec(), 2.0,
                        settings.channelMultiple());
                var pruned = ChannelPruningRecipe.run(baseline, ratios, ChannelCriterion.L1_NORM, data, tune, devices,
                        256, teacher, progress);
                double prunedTop1 = top1(pruned.model(), data);
                log.accept(String.format(Locale.ROOT, "prune2x-int8: pruned stage test top-1 %.2f %%", prunedTop1 * 100));
                Compressed q = quantize(pruned.model(), "qat", null, data, tune, devices, teacher, progress);
                yield new Compressed(q.model(), String.format(Locale.ROOT,
                        "uniform pruning to 2x fewer FLOPs (%.2fx; params %.2fx; channels multiples of %d; %.2f %% "
                                + "after this stage), then %s",
                        (double) pruned.summary().get("flopsRatio"), (double) pruned.summary().get("paramsRatio"),
                        settings.channelMultiple(), prunedTop1 * 100, q.detail()));
            }
            default -> throw new IllegalArgumentException("unknown method '" + method + "'; one of " + METHODS);
        };
    }

    private Compressed quantize(ModelFiles model, String mode, Double equivalentBits, DataSplits data,
            TrainingConfig tune, Device[] devices, Distillation teacher, ModelTrainer.Listener progress)
            throws Exception {
        QuantizationRecipe.Settings s = new QuantizationRecipe.Settings(mode, 8, Map.of(), true, true,
                Calibration.PERCENTILE, 99.99, 512, 8, true, equivalentBits, 0);
        var out = QuantizationRecipe.run(model, s, data, tune, devices, teacher, progress);
        return new Compressed(out.model(), String.format(Locale.ROOT, "%s, weights %s bits, inputs 8 bits", mode,
                equivalentBits == null ? "8" : "mixed " + out.summary().get("layerBits")));
    }

    /** Top-1 of an exported model.onnx (QDQ when quantized) in ONNX Runtime: the deployed model's. */
    private static double onnxTop1(byte[] onnx, NetSpec spec, DataSplits data) {
        try (OnnxRuntimeModel loaded = OnnxRuntimeModel.load(onnx, spec, 2)) {
            return loaded.accuracy(data.test(), 256).top1();
        }
    }

    private static double top1(ModelFiles model, DataSplits data) {
        try (LoadedModel loaded = LoadedModel.load(model, Device.cpu())) {
            return loaded.accuracy(data.test(), 256).top1();
        }
    }

    private ModelTrainer.Listener epochLog(String what) {
        return EpochLog.to(log, what);
    }
}
