package dev.pocketmesh.nn.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batch-1 latency of several models measured together, so their ratio comes from one run on one machine:
 * warm-up runs for each, then {@code rounds} rounds in which every model runs {@code runsPerRound} times in
 * turn. Interleaving spreads the machine's background noise evenly over the models being compared.
 */
public final class LatencyMeter {
    private LatencyMeter() {
    }

    /** Median and 90th percentile of the timed runs, in milliseconds. */
    public record Latency(double medianMs, double p90Ms, int runs) {
    }

    public static List<Latency> measure(List<LoadedModel> models, int warmup, int runs, long seed) {
        int rounds = Math.max(1, Math.min(10, runs / 5));
        int perRound = Math.max(1, runs / rounds);
        List<double[]> samples = new ArrayList<>();
        List<NDArray> inputs = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (LoadedModel model : models) {
            var s = model.spec().input();
            float[] pixels = new float[Math.toIntExact(s.elements())];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            inputs.add(model.manager().create(pixels, new ai.djl.ndarray.types.Shape(1, s.channels(), s.height(),
                    s.width())));
            samples.add(new double[rounds * perRound]);
        }
        try {
            for (int m = 0; m < models.size(); m++) {
                for (int i = 0; i < warmup; i++) {
                    runOnce(models.get(m), inputs.get(m));
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (int m = 0; m < models.size(); m++) {
                    for (int i = 0; i < perRound; i++) {
                        samples.get(m)[round * perRound + i] = runOnce(models.get(m), inputs.get(m));
                    }
                }
            }
        } finally {
            inputs.forEach(NDArray::close);
        }
        List<Latency> out = new ArrayList<>();
        for (double[] s : samples) {
            double[] sorted = s.clone();
            Arrays.sort(sorted);
            out.add(new Latency(percentile(sorted, 0.5), percentile(sorted, 0.9), sorted.length));
        }
        return out;
    }

    /** One forward pass, including copying the logits to the host (which waits for the device). */
    private static double runOnce(LoadedModel model, NDArray input) {
        try (NDManager scratch = model.manager().newSubManager()) {
            long start = System.nanoTime();
            NDList out = model.forward(new NDList(input));
            out.singletonOrThrow().toFloatArray();
            double ms = (System.nanoTime() - start) / 1e6;
            out.attach(scratch);
            return ms;
        }
    }

    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
