package dev.pocketmesh.nn.learn;

import ai.djl.Device;
import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.nn.compress.Calibration;
import dev.pocketmesh.nn.compress.QuantScheme;
import dev.pocketmesh.nn.compress.UniformQuantizer;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much each layer suffers from quantization, measured without labels: the mean Kullback-Leibler divergence of
 * the network's output distribution when only that layer's weights are quantized (per channel, symmetric) from the
 * float network's, on unlabelled sample images. It ranks layers for mixed precision (a greedy allocation of bit
 * widths under an equivalent-bits budget) and for falling back to float the layers that suffer most.
 */
public final class QuantizationSensitivity {
    private QuantizationSensitivity() {
    }

    /** Divergence by layer, indexed by bit width (entries below {@code minBits} unused). */
    public record Table(Map<String, double[]> divergence, int minBits, int maxBits) {
        public double at(String layer, int bits) {
            return divergence.get(layer)[bits];
        }

        /** Layers from the most to the least sensitive at {@code bits}. */
        public List<String> mostSensitiveFirst(int bits) {
            List<String> layers = new ArrayList<>(divergence.keySet());
            layers.sort(Comparator.comparingDouble((String l) -> at(l, bits)).reversed());
            return layers;
        }
    }

    /** Measures every weight layer of {@code model} (batch norms folded) at every width in [minBits, maxBits]. */
    public static Table measure(ModelFiles model, ImageSet sample, int minBits, int maxBits) {
        float[] reference = probabilities(model, model.weights(), sample);
        Map<String, double[]> table = new LinkedHashMap<>();
        for (String layer : WeightLayers.names(model.spec())) {
            double[] row = new double[maxBits + 1];
            Tensor w = model.weights().get(layer, Weights.WEIGHT);
            for (int bits = minBits; bits <= maxBits; bits++) {
                QuantScheme scheme = new QuantScheme(bits, true, true);
                Tensor q = UniformQuantizer.fakeQuantize(w, UniformQuantizer.calibrated(w, scheme, Calibration.MSE, 0),
                        scheme);
                Weights changed = model.weights().with(Map.of(Weights.key(layer, Weights.WEIGHT), q));
                row[bits] = divergence(reference, probabilities(model, changed, sample), model.spec().numClasses());
            }
            table.put(layer, row);
        }
        return new Table(table, minBits, maxBits);
    }

    /**
     * Bit widths whose mean over the weights is at most {@code target}: every layer starts at {@code maxBits}, then
     * the step down that adds the least divergence per weight-bit saved is taken, until the budget holds.
     */
    public static Map<String, Integer> allocate(Table table, List<WeightLayers.WeightLayer> layers, double target) {
        Map<String, Integer> bits = new LinkedHashMap<>();
        layers.forEach(l -> bits.put(l.name(), table.maxBits()));
        double total = layers.stream().mapToLong(WeightLayers.WeightLayer::weights).sum();
        double mean = table.maxBits();
        while (mean > target + 1e-9) {
            WeightLayers.WeightLayer best = null;
            double bestCost = Double.POSITIVE_INFINITY;
            for (WeightLayers.WeightLayer l : layers) {
                int b = bits.get(l.name());
                if (b <= table.minBits()) {
                    continue;
                }
                double cost = (table.at(l.name(), b - 1) - table.at(l.name(), b)) / l.weights();
                if (cost < bestCost) {
                    bestCost = cost;
                    best = l;
                }
            }
            if (best == null) {
                break; // every layer is at minBits
            }
            bits.put(best.name(), bits.get(best.name()) - 1);
            mean -= best.weights() / total;
        }
        return bits;
    }

    private static float[] probabilities(ModelFiles model, Weights weights, ImageSet sample) {
        try (LoadedModel loaded = LoadedModel.load(model.spec(), weights, Device.cpu())) {
            float[] logits = loaded.logits(sample, 0, sample.size());
            int classes = model.spec().numClasses();
            float[] p = new float[logits.length];
            for (int i = 0; i < logits.length; i += classes) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    max = Math.max(max, logits[i + c]);
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += Math.exp(logits[i + c] - max);
                }
                for (int c = 0; c < classes; c++) {
                    p[i + c] = (float) (Math.exp(logits[i + c] - max) / sum);
                }
            }
            return p;
        }
    }

    /** Mean KL(p || q) per image. */
    static double divergence(float[] p, float[] q, int classes) {
        double kl = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                kl += p[i] * Math.log(p[i] / Math.max(q[i], 1e-12));
            }
        }
        return kl / (p.length / classes);
    }
}
