package dev.pocketmesh.evaluator.service;

import ai.djl.Device;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.evaluator.config.EvaluatorConfig;
import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.DatasetLoader;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.measure.Accuracy;
import dev.pocketmesh.nn.measure.LatencyMeter;
import dev.pocketmesh.nn.measure.LoadedModel;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code channel-pruning} candidates on this evaluator's CPU: top-1 / top-5 accuracy on the validation split
 * (the search objective) and, for the baseline and the final model, on the test split; FLOPs, MACs and
 * parameters from the network; the stored bytes of its weights; batch-1 latency, timed in the same run as the
 * job's baseline so the speedup is one measured ratio.
 */
@ApplicationScoped
public class ChannelPruningMeasurer implements Measurer {
    private final EvaluatorConfig config;

    public ChannelPruningMeasurer(EvaluatorConfig config) {
        this.config = config;
    }

    @Override
    public String learner() {
        return ChannelPruningLearner.NAME;
    }

    @Override
    public Map<String, Double> measure(Candidate candidate) throws Exception {
        var request = candidate.request();
        var spec = request.spec();
        URI manifest = candidate.artifactUri();
        byte[] weightBytes = candidate.artifacts().get(manifest.resolve(ModelFiles.WEIGHTS));
        // The weights are read once: their size is the candidate's bytes, their content its model.
        ModelFiles model = ModelFiles.read(name -> name.equals(ModelFiles.WEIGHTS) ? weightBytes
                : candidate.artifacts().get(manifest.resolve(name)));
        DataSplits data = DatasetLoader.load(spec.dataset(), candidate.seed());
        var baselineCost = CostModel.of(JobNetwork.resolve(spec));
        var cost = CostModel.of(model.spec());

        Map<String, Double> metrics = new LinkedHashMap<>();
        Engines.setThreads(config.latency().threads());
        List<LoadedModel> timed = new ArrayList<>();
        try {
            LoadedModel loaded = LoadedModel.load(model.spec(), model.weights(), Device.cpu());
            timed.add(loaded);
            Accuracy validation = loaded.accuracy(data.validation(), 256);
            metrics.put("accuracy", validation.top1());
            metrics.put("top5", validation.top5());
            if (request.kind() != TrialKind.SEARCH) {
                Accuracy test = loaded.accuracy(data.test(), 256);
                metrics.put("testAccuracy", test.top1());
                metrics.put("testTop5", test.top5());
            }
            String baselineUri = request.baselineArtifactUri();
            if (request.kind() != TrialKind.BASELINE && baselineUri != null) {
                URI base = URI.create(baselineUri);
                ModelFiles baseline = ModelFiles.read(name -> candidate.artifacts().get(base.resolve(name)));
                timed.add(LoadedModel.load(baseline.spec(), baseline.weights(), Device.cpu()));
            }
            List<LatencyMeter.Latency> latency = LatencyMeter.measure(timed, config.latency().warmup(),
                    config.latency().runs(), candidate.seed());
            metrics.put("latencyMs", latency.get(0).medianMs());
            metrics.put("latencyP90Ms", latency.get(0).p90Ms());
            if (latency.size() > 1) {
                metrics.put("baselineLatencyMs", latency.get(1).medianMs());
                metrics.put("latencySpeedup", latency.get(1).medianMs() / latency.get(0).medianMs());
            }
            metrics.put("latencyThreads", (double) config.latency().threads());
        } finally {
            timed.forEach(LoadedModel::close);
        }
        metrics.put("flops", (double) cost.flops());
        metrics.put("macs", (double) cost.macs());
        metrics.put("params", (double) cost.params());
        metrics.put("bytes", (double) weightBytes.length);
        metrics.put("flopsFraction", (double) cost.flops() / baselineCost.flops());
        metrics.put("flopsRatio", (double) baselineCost.flops() / cost.flops());
        metrics.put("paramsRatio", (double) baselineCost.params() / cost.params());
        return metrics;
    }
}
