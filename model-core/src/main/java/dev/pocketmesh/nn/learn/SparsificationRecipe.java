package dev.pocketmesh.nn.learn;

import ai.djl.Device;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.build.SpecNetwork;
import dev.pocketmesh.nn.build.TransformedLayer;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.compress.GradualSchedule;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.compress.transform.MagnitudeMask;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.train.Distillation;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weight sparsification by gradual magnitude pruning during fine-tuning: every conv and linear weight is masked
 * ({@link MagnitudeMask}); the masks follow a {@link GradualSchedule} from 0 to the target sparsity, either each layer
 * to the same (or its own) sparsity or, {@code global}, one magnitude threshold across all layers so that layers
 * with more redundancy give up more. The stored model keeps one bit per block plus the kept values.
 */
public final class SparsificationRecipe {
    private SparsificationRecipe() {
    }

    /**
     * @param layerSparsity sparsity by layer name (per-layer scope); layers not listed get {@code sparsity}
     * @param begin         fraction of the fine-tuning steps at which pruning begins
     * @param end           fraction at which the target is reached
     * @param interval      steps between mask updates
     */
    public record Settings(double sparsity, Map<String, Double> layerSparsity, boolean global, int block,
            double begin, double end, double exponent, int interval) {
    }

    public record Outcome(ModelFiles model, ModelTrainer.Result fineTuning, Map<String, Object> summary) {
    }

    public static Outcome run(ModelFiles baseline, Settings settings, DataSplits data, TrainingConfig fineTune,
            Device[] devices, Distillation distillation, ModelTrainer.Listener listener) throws Exception {
        NetSpec net = baseline.spec();
        Map<String, MagnitudeMask> masks = new LinkedHashMap<>();
        for (String layer : QuantizationRecipe.quantizedLayers(net)) {
            int[] shape = baseline.weights().get(layer, Weights.WEIGHT).shape();
            masks.put(layer, new MagnitudeMask(shape, MagnitudeMask.blockFor(shape, settings.block()),
                    EncodedTensor.Dense::new));
        }
        int steps = Math.max(1, (data.train().size() + fineTune.batchSize() - 1) / fineTune.batchSize())
                * fineTune.epochs();
        if (fineTune.epochs() < 1) {
            throw new IllegalArgumentException("weight sparsification prunes while it fine-tunes: needs at least 1 epoch");
        }
        // The last mask update must happen before the last step, so that the network trains with its final mask.
        int end = Math.min(steps - 1, (int) (settings.end() * steps));
        GradualSchedule schedule = new GradualSchedule(0, settings.sparsity(),
                Math.min(end, (int) (settings.begin() * steps)), end, settings.interval(), settings.exponent());
        ModelTrainer.StepHook prune = (network, update, total) -> {
            if (schedule.updatesAt(update)) {
                applySparsity(network, masks, settings, schedule.sparsityAt(update));
            }
        };
        ModelTrainer.Result tuned = ModelTrainer.train(net, baseline.weights(), data.train(), data.validation(),
                fineTune, devices, listener, 0, new ModelTrainer.Extras(Map.copyOf(masks), prune, distillation));
        PackedWeights packed = tuned.packed();
        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Double> achieved = new LinkedHashMap<>();
        long pruned = 0;
        long total = 0;
        for (Map.Entry<String, MagnitudeMask> e : masks.entrySet()) {
            achieved.put(e.getKey(), e.getValue().sparsity());
            long size = tuned.weights().get(e.getKey(), Weights.WEIGHT).size();
            pruned += Math.round(e.getValue().sparsity() * size);
            total += size;
        }
        summary.put("network", net.name());
        summary.put("targetSparsity", settings.sparsity());
        summary.put("sparsity", (double) pruned / total);
        summary.put("layerSparsity", achieved);
        summary.put("scope", settings.global() ? "global" : "per-layer");
        summary.put("block", settings.block());
        summary.put("fineTuneEpochs", fineTune.epochs());
        summary.put("validationAccuracy", tuned.finalValidationAccuracy());
        summary.put("trainImagesPerSecond", tuned.imagesPerSecond());
        return new Outcome(ModelFiles.packed(net, packed), tuned, summary);
    }

    /** Sets every mask to the schedule's current sparsity (per layer, or by one global threshold). */
    private static void applySparsity(SpecNetwork network, Map<String, MagnitudeMask> masks, Settings settings,
            double sparsity) {
        Map<String, Tensor> current = new LinkedHashMap<>();
        network.transformedLayers().forEach((name, layer) -> current.put(name, weightOf(layer)));
        if (!settings.global()) {
            // Each layer's own target, scaled along the schedule.
            double progress = settings.sparsity() == 0 ? 1 : sparsity / settings.sparsity();
            masks.forEach((name, mask) -> mask.pruneTo(current.get(name),
                    progress * settings.layerSparsity().getOrDefault(name, settings.sparsity())));
            return;
        }
        // One threshold on the mean magnitude per value of a block, across every layer.
        int blocks = 0;
        for (Map.Entry<String, MagnitudeMask> e : masks.entrySet()) {
            blocks += current.get(e.getKey()).size() / e.getValue().block();
        }
        float[] all = new float[blocks];
        int[] weightsPer = new int[blocks];
        int pos = 0;
        for (Map.Entry<String, MagnitudeMask> e : masks.entrySet()) {
            float[] scores = e.getValue().blockScores(current.get(e.getKey()));
            for (float s : scores) {
                weightsPer[pos] = e.getValue().block();
                all[pos++] = s / e.getValue().block();
            }
        }
        Integer[] order = new Integer[all.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(all[a], all[b]));
        long totalValues = Arrays.stream(weightsPer).asLongStream().sum();
        long prunedValues = 0;
        float threshold = 0;
        for (Integer i : order) {
            if (prunedValues >= Math.round(sparsity * totalValues)) {
                break;
            }
            prunedValues += weightsPer[i];
            threshold = Math.nextUp(all[i]);
        }
        float t = threshold;
        masks.forEach((name, mask) -> mask.pruneBelow(current.get(name), t * mask.block()));
    }

    private static Tensor weightOf(TransformedLayer layer) {
        var array = layer.weightParameter().getArray();
        int[] shape = Arrays.stream(array.getShape().getShape()).mapToInt(Math::toIntExact).toArray();
        return new Tensor(shape, array.toFloatArray());
    }
}
