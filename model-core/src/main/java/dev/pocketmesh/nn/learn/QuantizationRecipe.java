package dev.pocketmesh.nn.learn;

import ai.djl.Device;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.BatchNormFolding;
import dev.pocketmesh.nn.compress.Calibration;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.compress.QuantParams;
import dev.pocketmesh.nn.compress.QuantScheme;
import dev.pocketmesh.nn.compress.TensorQuantization;
import dev.pocketmesh.nn.compress.UniformQuantizer;
import dev.pocketmesh.nn.compress.transform.BatchNormAwareQuantizer;
import dev.pocketmesh.nn.compress.transform.LsqWeightQuantizer;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.data.Permutations;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.train.Distillation;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Uniform quantization of a trained model. Batch norms are folded into the layers, so the stored integers are the
 * ones a deployed model multiplies with; calibration measures the folded model. Inputs of conv / linear layers are
 * quantized to {@code activationBits} (0 = float) with ranges calibrated on unlabelled training images. Then either
 * <ul>
 * <li>{@code ptq}: weights quantized per channel with ranges that minimise their error, optionally with bias
 * correction (each output's expected shift, {@code (W - Wq) * E[x]}, added back to its bias); no training; or</li>
 * <li>{@code qat}: quantization-aware fine-tuning with learned step sizes ({@link LsqWeightQuantizer}), with the
 * batch norms kept while training and folded at the end ({@link BatchNormAwareQuantizer}).</li>
 * </ul>
 * Bit widths may differ per layer (mixed precision: searched by the study, or allocated here from the layers' label-free
 * {@link QuantizationSensitivity sensitivity}), and the most sensitive layers may stay float ({@code keepFloat}).
 */
public final class QuantizationRecipe {
    private QuantizationRecipe() {
    }

    /**
     * @param layerBits         bit width per layer name; layers not listed get {@code bits}
     * @param percentile        for {@link Calibration#PERCENTILE}
     * @param sensitivityTarget when not null, the bit widths are allocated here, without labels, so that their mean
     *                          is at most this ({@link QuantizationSensitivity#allocate}), replacing layerBits
     * @param keepFloat         how many of the layers most sensitive to quantization stay float
     */
    public record Settings(String mode, int bits, Map<String, Integer> layerBits, boolean perChannel,
            boolean symmetric, Calibration calibration, double percentile, int calibrationSamples,
            int activationBits, boolean biasCorrection, Double sensitivityTarget, int keepFloat) {
        /** Bits per layer from the configuration, nothing left float, no allocation here. */
        public Settings(String mode, int bits, Map<String, Integer> layerBits, boolean perChannel, boolean symmetric,
                Calibration calibration, double percentile, int calibrationSamples, int activationBits,
                boolean biasCorrection) {
            this(mode, bits, layerBits, perChannel, symmetric, calibration, percentile, calibrationSamples,
                    activationBits, biasCorrection, null, 0);
        }

        Settings withLayerBits(Map<String, Integer> chosen) {
            return new Settings(mode, bits, chosen, perChannel, symmetric, calibration, percentile,
                    calibrationSamples, activationBits, biasCorrection, sensitivityTarget, keepFloat);
        }

        public boolean qat() {
            return "qat".equals(mode);
        }

        int bitsOf(String layer) {
            return layerBits.getOrDefault(layer, bits);
        }
    }

    public record Outcome(ModelFiles model, ModelTrainer.Result fineTuning, Map<String, Object> summary) {
    }

    public static Outcome run(ModelFiles baseline, Settings requested, DataSplits data, TrainingConfig fineTune,
            Device[] devices, Distillation distillation, ModelTrainer.Listener listener) throws Exception {
        ModelFiles folded = BatchNormFolding.fold(baseline.spec(), baseline.weights());
        NetSpec net = folded.spec();
        long start = System.nanoTime();
        Sensitive sensitive = sensitive(requested, folded, data.train(), fineTune.seed());
        Settings settings = sensitive.settings();
        List<String> floatLayers = sensitive.floatLayers();
        Map<String, Tensor> inputs = sampleInputs(folded, data.train(), settings.calibrationSamples(), fineTune.seed());
        Map<String, ActivationQuant> activations = new LinkedHashMap<>();
        Map<String, ActivationQuant> outputs = new LinkedHashMap<>();
        if (settings.activationBits() > 0) {
            inputs.forEach((layer, x) -> activations.put(layer, activationQuant(x, settings)));
            outputs = calibratedOutputs(folded, data.train(), settings, fineTune.seed());
        }
        long calibrateMs = (System.nanoTime() - start) / 1_000_000;
        listener.checkContinue();
        ModelTrainer.Result tuned = null;
        PackedWeights packed;
        if (settings.qat()) {
            tuned = quantizationAware(baseline, folded, settings, floatLayers, activations, outputs, data, fineTune,
                    devices, distillation, listener);
            packed = tuned.packed();
        } else {
            packed = postTraining(folded, settings, inputs, activations, outputs, floatLayers);
        }
        ModelFiles model = ModelFiles.packed(net, packed);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("network", net.name());
        summary.put("mode", settings.mode());
        summary.put("bits", settings.bits());
        Map<String, Integer> bitsUsed = layerBits(net, settings);
        floatLayers.forEach(bitsUsed::remove);
        summary.put("layerBits", bitsUsed);
        summary.put("floatLayers", floatLayers);
        summary.put("activationBits", settings.activationBits());
        summary.put("calibration", settings.calibration().id());
        summary.put("calibrateMs", calibrateMs);
        summary.put("foldedBatchNorms", baseline.spec().layers().size() - net.layers().size());
        summary.put("bitsPerWeight", packed.compressedBitsPerValue());
        if (tuned != null) {
            summary.put("fineTuneEpochs", fineTune.epochs());
            summary.put("validationAccuracy", tuned.finalValidationAccuracy());
            summary.put("trainImagesPerSecond", tuned.imagesPerSecond());
        }
        return new Outcome(model, tuned, summary);
    }

    /**
     * Quantization-aware training with the batch norms kept ({@link BatchNormAwareQuantizer}): each layer quantizes
     * its weight as it will be stored, with its batch norm folded in, and the batch norms go on normalising while the
     * network trains. The trained network is folded and stored as {@code folded}'s layers, with the quantized
     * tensors calibrated on it ({@code outputs}, by the folded network's names).
     */
    private static ModelTrainer.Result quantizationAware(ModelFiles baseline, ModelFiles folded, Settings settings,
            List<String> floatLayers, Map<String, ActivationQuant> activations, Map<String, ActivationQuant> outputs,
            DataSplits data, TrainingConfig fineTune, Device[] devices, Distillation distillation,
            ModelTrainer.Listener listener) throws Exception {
        Map<String, String> batchNorms = BatchNormFolding.batchNormsOf(baseline.spec());
        Map<String, LayerTransform> transforms = new LinkedHashMap<>();
        for (String layer : quantizedLayers(folded.spec())) {
            if (floatLayers.contains(layer)) {
                continue;
            }
            QuantScheme scheme = new QuantScheme(settings.bitsOf(layer), true, settings.perChannel());
            LsqWeightQuantizer quantizer = new LsqWeightQuantizer(scheme,
                    folded.weights().get(layer, Weights.WEIGHT).shape(), activations.get(layer));
            String bn = batchNorms.get(layer);
            transforms.put(layer, bn == null ? quantizer : new BatchNormAwareQuantizer(quantizer, bn));
        }
        // A top-level layer's batch norm was folded into it: in the unfolded network its quantized output is the
        // batch norm's. (A projection shortcut's output is quantized after its batch norm under either name.)
        Map<String, ActivationQuant> unfoldedOutputs = new LinkedHashMap<>();
        outputs.forEach((name, quant) -> unfoldedOutputs.put(
                baseline.spec().indexOf(name) >= 0 && batchNorms.containsKey(name) ? batchNorms.get(name) : name,
                quant));
        ModelTrainer.Packer foldThenPack = (network, trained) ->
                network.pack(BatchNormFolding.fold(baseline.spec(), trained).weights()).withOutputs(outputs);
        return ModelTrainer.train(baseline.spec(), baseline.weights(), data.train(), data.validation(), fineTune,
                devices, listener, 0, new ModelTrainer.Extras(transforms, (n, u, t) -> {
                }, distillation, unfoldedOutputs, foldThenPack));
    }

    private record Sensitive(Settings settings, List<String> floatLayers) {
    }

    /** The layers left float and the bit widths allocated from label-free sensitivity, when the settings ask. */
    private static Sensitive sensitive(Settings settings, ModelFiles folded, ImageSet train, long seed) {
        if (settings.sensitivityTarget() == null && settings.keepFloat() <= 0) {
            return new Sensitive(settings, List.of());
        }
        // Allocating bit widths needs every width; choosing the float layers needs only the configured one.
        boolean allocate = settings.sensitivityTarget() != null;
        QuantizationSensitivity.Table table = QuantizationSensitivity.measure(folded,
                sample(train, settings.calibrationSamples(), seed),
                allocate ? QuantScheme.MIN_BITS : settings.bits(), allocate ? QuantScheme.MAX_BITS : settings.bits());
        List<String> floatLayers = table.mostSensitiveFirst(settings.bits()).subList(0,
                Math.min(settings.keepFloat(), table.divergence().size()));
        if (!allocate) {
            return new Sensitive(settings, floatLayers);
        }
        List<WeightLayers.WeightLayer> quantized = WeightLayers.of(folded.spec()).stream()
                .filter(l -> !floatLayers.contains(l.name())).toList();
        return new Sensitive(settings.withLayerBits(QuantizationSensitivity.allocate(table, quantized,
                settings.sensitivityTarget())), floatLayers);
    }

    /** Every conv and linear, top-level or in a shortcut: the layers whose weights are quantized. */
    static List<String> quantizedLayers(NetSpec net) {
        return WeightLayers.names(net);
    }

    private static Map<String, Integer> layerBits(NetSpec net, Settings settings) {
        Map<String, Integer> bits = new LinkedHashMap<>();
        quantizedLayers(net).forEach(layer -> bits.put(layer, settings.bitsOf(layer)));
        return bits;
    }

    private static PackedWeights postTraining(ModelFiles folded, Settings settings, Map<String, Tensor> inputs,
            Map<String, ActivationQuant> activations, Map<String, ActivationQuant> outputs, List<String> floatLayers) {
        Map<String, EncodedTensor> encoded = new LinkedHashMap<>();
        folded.weights().asMap().forEach((k, t) -> encoded.put(k, new EncodedTensor.Dense(t)));
        for (String layer : quantizedLayers(folded.spec())) {
            if (floatLayers.contains(layer)) {
                continue;
            }
            Tensor w = folded.weights().get(layer, Weights.WEIGHT);
            QuantScheme scheme = new QuantScheme(settings.bitsOf(layer), settings.symmetric(), settings.perChannel());
            // Weights have no outliers to speak of per channel; the range with the least error suits every width.
            QuantParams params = UniformQuantizer.calibrated(w, scheme, Calibration.MSE, 0);
            EncodedTensor.Quantized q = EncodedTensor.Quantized.of(w, scheme, params);
            encoded.put(Weights.key(layer, Weights.WEIGHT), q);
            Tensor x = inputs.get(layer);
            var bias = folded.weights().find(layer, Weights.BIAS);
            boolean grouped = folded.spec().layer(layer).orElse(null) instanceof Layer.Conv2d c && c.groups() > 1;
            if (settings.biasCorrection() && x != null && bias.isPresent() && !grouped) {
                encoded.put(Weights.key(layer, Weights.BIAS), new EncodedTensor.Dense(
                        correctedBias(w, q.decode(), bias.get(), channelMeans(x, w.dim(1)))));
            }
        }
        return new PackedWeights(encoded, activations, outputs);
    }

    /** {@code b + (W - Wq) · E[x]}: the quantized layer's expected output equals the float layer's. */
    static Tensor correctedBias(Tensor w, Tensor wq, Tensor bias, float[] inputMeans) {
        float[] b = bias.data().clone();
        int per = w.stride0();
        int spatial = per / inputMeans.length;
        for (int o = 0; o < b.length; o++) {
            double shift = 0;
            for (int i = 0; i < per; i++) {
                shift += (w.data()[o * per + i] - wq.data()[o * per + i]) * inputMeans[i / spatial];
            }
            b[o] += (float) shift;
        }
        return new Tensor(bias.shape(), b);
    }

    /** Mean of each input channel (conv: over images and positions) or feature (linear). */
    static float[] channelMeans(Tensor x, int channels) {
        float[] data = x.data();
        int n = x.dim(0);
        int per = data.length / n;
        if (per != channels && x.rank() == 2) {
            throw new IllegalArgumentException("input has " + per + " features, the layer reads " + channels);
        }
        int spatial = per / channels;
        double[] sums = new double[channels];
        for (int i = 0; i < data.length; i++) {
            sums[(i % per) / spatial] += data[i];
        }
        float[] means = new float[channels];
        for (int c = 0; c < channels; c++) {
            means[c] = (float) (sums[c] / ((double) n * spatial));
        }
        return means;
    }

    /** A seeded sample of unlabelled calibration images (labels are never read). */
    static ImageSet sample(ImageSet train, int samples, long seed) {
        int n = Math.min(samples, train.size());
        return train.subset(Arrays.copyOf(Permutations.shuffled(train.size(), seed ^ 0xca11b), n));
    }

    private static ActivationQuant activationQuant(Tensor x, Settings settings) {
        return ActivationQuant.of(settings.calibration().range(x.data(),
                QuantScheme.activations(settings.activationBits()), settings.percentile()), settings.activationBits());
    }

    /**
     * The quantization of each tensor of {@link TensorQuantization}, calibrated like the layer inputs: on the same
     * sample of unlabelled training images, in the float model. A tensor that is also a layer's input (a residual
     * stream) gets the same values as that input's quantization, so the two coincide.
     */
    static Map<String, ActivationQuant> calibratedOutputs(ModelFiles model, ImageSet train, Settings settings,
            long seed) {
        ImageSet sample = sample(train, settings.calibrationSamples(), seed);
        Map<String, ActivationQuant> outputs = new LinkedHashMap<>();
        try (LoadedModel loaded = LoadedModel.load(model.spec(), model.weights(), Device.cpu())) {
            for (String point : TensorQuantization.points(model.spec())) {
                // One tensor at a time: the sample's activations of every point together would not fit a small heap.
                outputs.put(point, activationQuant(loaded.outputOf(point, sample, sample.size()), settings));
            }
        }
        return outputs;
    }

    /** The input of every top-level conv and linear on a seeded sample of training images, in the float model. */
    static Map<String, Tensor> sampleInputs(ModelFiles model, ImageSet train, int samples, long seed) {
        ImageSet sample = sample(train, samples, seed);
        int n = sample.size();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        try (LoadedModel loaded = LoadedModel.load(model.spec(), model.weights(), Device.cpu())) {
            for (Layer layer : model.spec().layers()) {
                if (layer instanceof Layer.Conv2d || layer instanceof Layer.Linear) {
                    inputs.put(layer.name(), loaded.inputOf(layer.name(), sample, n));
                }
            }
        }
        return inputs;
    }
}
