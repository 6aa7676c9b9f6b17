package dev.pocketmesh.nn.learn;

import ai.djl.Device;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.data.Permutations;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.prune.ActivationSource;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.nn.prune.PrunedModel;
import dev.pocketmesh.nn.prune.WeightPruner;
import dev.pocketmesh.nn.train.Distillation;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Channel pruning of a trained model, end to end: preserve ratios → channels kept per unit → weights pruned with
 * the chosen criterion (reconstruction fits each consumer to activations of sampled training images) → the
 * smaller network fine-tuned. The trial worker and the benchmarks run the same recipe.
 */
public final class ChannelPruningRecipe {
    private ChannelPruningRecipe() {
    }

    /** The pruned, fine-tuned model and what was done to it (for the trial's manifest). */
    public record Outcome(ModelFiles model, PrunedModel pruned, ModelTrainer.Result fineTuning,
            Map<String, Object> summary) {
    }

    public static Outcome run(ModelFiles baseline, Map<String, Double> ratios, ChannelCriterion criterion,
            DataSplits data, TrainingConfig fineTune, Device[] devices, int reconstructionSamples,
            Distillation distillation, ModelTrainer.Listener listener) throws Exception {
        NetSpec net = baseline.spec();
        Map<String, Integer> keep = PruningUnits.keepCounts(net, ratios);
        long start = System.nanoTime();
        PrunedModel pruned = WeightPruner.prune(net, baseline.weights(), keep, criterion,
                activations(data.train(), reconstructionSamples, fineTune.seed()), fineTune.seed());
        long pruneMs = (System.nanoTime() - start) / 1_000_000;
        listener.checkContinue();
        ModelTrainer.Result tuned = ModelTrainer.train(pruned.spec(), pruned.weights(), data.train(),
                data.validation(), fineTune, devices, listener, 0, ModelTrainer.Extras.NONE.withDistillation(distillation));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("network", pruned.spec().name());
        summary.put("criterion", criterion.id());
        summary.put("keptChannels", keep);
        summary.put("flopsRatio", (double) CostModel.of(net).flops() / CostModel.of(pruned.spec()).flops());
        summary.put("paramsRatio", (double) CostModel.of(net).params() / CostModel.of(pruned.spec()).params());
        summary.put("pruneMs", pruneMs);
        summary.put("fineTuneEpochs", fineTune.epochs());
        summary.put("validationAccuracy", tuned.finalValidationAccuracy());
        summary.put("trainImagesPerSecond", tuned.imagesPerSecond());
        summary.put("notes", pruned.notes());
        return new Outcome(new ModelFiles(pruned.spec(), tuned.weights()), pruned, tuned, summary);
    }

    /**
     * Activations of a fixed, seeded sample of training images, computed by running the network as pruned so
     * far (DJL on the CPU: the sample is small and this runs once per pruned unit).
     */
    public static ActivationSource activations(ImageSet train, int samples, long seed) {
        int n = Math.min(samples, train.size());
        ImageSet sample = train.subset(java.util.Arrays.copyOf(Permutations.shuffled(train.size(), seed ^ 0x5eed), n));
        return (consumer, spec, weights) -> {
            try (LoadedModel model = LoadedModel.load(spec, weights, Device.cpu())) {
                return model.inputOf(consumer, sample, n);
            }
        };
    }
}
