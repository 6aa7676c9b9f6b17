package dev.pocketmesh.nn.learn;

import ai.djl.Device;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.compress.transform.SharedCodebook;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.train.Distillation;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Non-uniform quantization: each conv and linear weight becomes 2^bits shared values (k-means codebook per layer,
 * {@link SharedCodebook}), then the centroids are fine-tuned. Stored as packed indices plus the codebook.
 */
public final class CodebookRecipe {
    private CodebookRecipe() {
    }

    public record Outcome(ModelFiles model, ModelTrainer.Result fineTuning, Map<String, Object> summary) {
    }

    public static Outcome run(ModelFiles baseline, int bits, Map<String, Integer> layerBits, DataSplits data,
            TrainingConfig fineTune, Device[] devices, Distillation distillation, ModelTrainer.Listener listener)
            throws Exception {
        NetSpec net = baseline.spec();
        Map<String, LayerTransform> books = new LinkedHashMap<>();
        Map<String, Integer> used = new LinkedHashMap<>();
        for (String layer : QuantizationRecipe.quantizedLayers(net)) {
            int b = layerBits.getOrDefault(layer, bits);
            used.put(layer, b);
            books.put(layer, new SharedCodebook(b, baseline.weights().get(layer, Weights.WEIGHT).shape()));
        }
        ModelTrainer.Result tuned = ModelTrainer.train(net, baseline.weights(), data.train(), data.validation(),
                fineTune, devices, listener, 0, new ModelTrainer.Extras(books, (n, u, t) -> {
                }, distillation));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("network", net.name());
        summary.put("bits", bits);
        summary.put("layerBits", used);
        summary.put("bitsPerWeight", tuned.packed().compressedBitsPerValue());
        summary.put("fineTuneEpochs", fineTune.epochs());
        summary.put("validationAccuracy", tuned.finalValidationAccuracy());
        summary.put("trainImagesPerSecond", tuned.imagesPerSecond());
        return new Outcome(ModelFiles.packed(net, tuned.packed()), tuned, summary);
    }
}
