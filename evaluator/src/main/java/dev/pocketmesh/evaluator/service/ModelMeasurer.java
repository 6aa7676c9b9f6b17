package dev.pocketmesh.evaluator.service;

import ai.djl.Device;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.evaluator.config.EvaluatorConfig;
import dev.pocketmesh.evaluator.config.EvaluatorIdentity;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.SimulatedLearner;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.DatasetLoader;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.measure.Accuracy;
import dev.pocketmesh.nn.measure.InferenceModel;
import dev.pocketmesh.nn.measure.LatencyMeter;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.onnx.OnnxRuntimeModel;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Candidates of every learner that compresses a real network (channel pruning, quantization, sparsification,
 * codebooks, pipelines), on this evaluator's CPU: top-1 / top-5 accuracy on the validation split (the search
 * objective) and, for the baseline and the final model, on the test split; FLOPs, MACs and parameters from the
 * network; batch-1 latency of the exported {@code model.onnx} (and, where the device profile asks, latency at a
 * larger batch), timed in the same run as the job's baseline so the speedup ({@code latencyRatio}) is one measured
 * ratio. Runtime, threads and batch are the device profile's ({@link EvaluatorIdentity}). A dense model also gets
 * the profile's latency-model estimate ({@code estimatedLatencyMs}, {@code latencyModelErrorPct}; {@link LatencyTables}),
 * and a channel-pruning job's baseline the table of every piece its search can propose ({@code latencyGrid*}).
 *
 * <p>A model is measured as it will run: accuracy and latency come from the configured runtime, by default ONNX
 * Runtime on the exported {@code model.onnx} (fp32, or QDQ with integer weights and quantized layer inputs for a
 * quantized model). On the test split {@code djlTestAccuracy} scores the same model in DJL, as it was trained (a
 * quantized model with its quantization simulated), so the report shows the export computes what was trained. A
 * compressed model's {@code bytes} are those of {@code weights.pmw} (a dense model's: its ONNX file), with
 * {@code bitsPerWeight}, {@code equivalentBits} and {@code sparsity} read from the stored tensors.
 */
@ApplicationScoped
public class ModelMeasurer implements Measurer {
    private static final int BATCH = 256;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ModelMeasurer.class);

    private final EvaluatorConfig config;
    private final EvaluatorIdentity device;
    private final LatencyTables latencyModel;

    public ModelMeasurer(EvaluatorConfig config, EvaluatorIdentity device, LatencyTables latencyModel) {
        this.config = config;
        this.device = device;
        this.latencyModel = latencyModel;
    }

    @Override
    public Set<String> learners() {
        Set<String> real = new java.util.TreeSet<>(LearnerCatalog.standard().names());
        real.remove(SimulatedLearner.NAME);
        return real;
    }

    @Override
    public Map<String, Double> measure(Candidate candidate) throws Exception {
        var request = candidate.request();
        var spec = request.spec();
        URI manifest = candidate.artifactUri();
        ModelFiles model = ModelFiles.read(name -> candidate.artifacts().get(manifest.resolve(name)),
                name -> candidate.artifacts().exists(manifest.resolve(name)));
        byte[] onnx = candidate.artifacts().get(manifest.resolve(ModelFiles.ONNX));
        DataSplits data = DatasetLoader.load(spec.dataset(), candidate.seed());
        var baselineCost = CostModel.of(JobNetwork.resolve(spec));
        var cost = CostModel.of(model.spec());
        boolean onTest = request.kind() != TrialKind.SEARCH;

        Map<String, Double> metrics = new LinkedHashMap<>();
        Engines.setThreads(device.threads());
        List<InferenceModel> timed = new ArrayList<>();
        try {
            InferenceModel loaded = load(model, onnx);
            timed.add(loaded);
            Accuracy validation = loaded.accuracy(data.validation(), BATCH);
            metrics.put("accuracy", validation.top1());
            metrics.put("top5", validation.top5());
            if (onTest) {
                Accuracy test = loaded.accuracy(data.test(), BATCH);
                metrics.put("testAccuracy", test.top1());
                metrics.put("testTop5", test.top5());
                if (device.runtime() != EvaluatorConfig.Runtime.djl) {
                    try (LoadedModel djl = LoadedModel.load(model, Device.cpu())) {
                        metrics.put("djlTestAccuracy", djl.accuracy(data.test(), BATCH).top1());
                    }
                }
            }
            String baselineUri = request.baselineArtifactUri();
            if (request.kind() != TrialKind.BASELINE && baselineUri != null) {
                URI base = URI.create(baselineUri);
                ModelFiles baseline = ModelFiles.read(name -> candidate.artifacts().get(base.resolve(name)),
                        name -> candidate.artifacts().exists(base.resolve(name)));
                timed.add(load(baseline, candidate.artifacts().get(base.resolve(ModelFiles.ONNX))));
            }
            List<LatencyMeter.Latency> latency = LatencyMeter.measure(timed, config.latency().warmup(),
                    config.latency().runs(), candidate.seed());
            metrics.put("latencyMs", latency.get(0).medianMs());
            metrics.put("latencyP90Ms", latency.get(0).p90Ms());
            if (latency.size() > 1) {
                metrics.put("baselineLatencyMs", latency.get(1).medianMs());
                double speedup = latency.get(1).medianMs() / latency.get(0).medianMs();
                metrics.put("latencySpeedup", speedup);
                metrics.put(Objective.LATENCY_RATIO, speedup); // the name a job's target uses
            }
            if (device.batch() > 1) {
                List<LatencyMeter.Latency> batched = LatencyMeter.measure(timed, device.batch(),
                        config.latency().warmup(), config.latency().runs(), candidate.seed());
                metrics.put("latencyBatch", (double) device.batch());
                metrics.put("latencyBatchMs", batched.get(0).medianMs());
                metrics.put("latencyBatchP90Ms", batched.get(0).p90Ms());
                if (batched.size() > 1) {
                    metrics.put("baselineLatencyBatchMs", batched.get(1).medianMs());
                }
            }
            metrics.put("latencyThreads", (double) device.threads());
            if (model.packed() == null && device.runtime() == EvaluatorConfig.Runtime.onnxruntime) {
                // The latency model's estimate beside the measurement (its table holds fp32 ONNX Runtime pieces);
                // an estimate is a report extra, so a network it cannot split costs the trial nothing.
                try {
                    double estimate = latencyModel.estimateMs(model.spec(), candidate.seed());
                    metrics.put("estimatedLatencyMs", estimate);
                    metrics.put("latencyModelErrorPct", 100 * (estimate - latency.get(0).medianMs())
                            / latency.get(0).medianMs());
                } catch (RuntimeException e) {
                    LOG.warnf("no latency-model estimate for %s: %s", request.trialId(), e.getMessage());
                }
                if (request.kind() == TrialKind.BASELINE) {
                    timeSearchGrid(candidate, metrics);
                }
            }
        } finally {
            timed.forEach(InferenceModel::close);
        }
        metrics.put("flops", (double) cost.flops());
        metrics.put("macs", (double) cost.macs());
        metrics.put("params", (double) cost.params());
        metrics.put("onnxBytes", (double) onnx.length);
        // The stored file's own size (not a re-encoding of what was read from it).
        metrics.put("bytes", (double) (model.packed() != null
                ? candidate.artifacts().get(manifest.resolve(ModelFiles.PACKED)).length : onnx.length));
        metrics.put("flopsFraction", (double) cost.flops() / baselineCost.flops());
        metrics.put("flopsRatio", (double) baselineCost.flops() / cost.flops());
        metrics.put("paramsRatio", (double) baselineCost.params() / cost.params());
        metrics.putAll(StoredWeights.metrics(model));
        return metrics;
    }

    /**
     * A channel-pruning job's baseline also times the pieces its search can propose, before the result goes out
     * ({@link LatencyTables#timeSearchGrid}); the counts and seconds are recorded with the baseline. Like the estimate,
     * a grid that fails costs the baseline nothing.
     */
    private void timeSearchGrid(Candidate candidate, Map<String, Double> metrics) {
        try {
            latencyModel.timeSearchGrid(candidate.request().spec(), candidate.seed()).ifPresent(grid -> {
                metrics.put("latencyGridPieces", (double) grid.pieces());
                metrics.put("latencyGridTimed", (double) grid.timed());
                metrics.put("latencyGridSkipped", (double) grid.skipped());
                metrics.put("latencyGridSeconds", grid.seconds());
            });
        } catch (RuntimeException e) {
            LOG.warnf(e, "no latency grid for %s: %s", candidate.request().trialId(), e.getMessage());
        }
    }

    private InferenceModel load(ModelFiles model, byte[] onnx) {
        return switch (device.runtime()) {
            case onnxruntime -> OnnxRuntimeModel.load(onnx, model.spec(), device.threads());
            case djl -> LoadedModel.load(model, Device.cpu());
        };
    }
}
