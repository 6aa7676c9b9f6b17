package dev.pocketmesh.nn.measure;

import dev.pocketmesh.stats.Quantiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Latency (batch 1 unless told otherwise) of several models measured together, so their ratio comes from one run on one machine:
 * warm-up runs for each, then {@code rounds} rounds in which every model runs {@code runsPerRound} times in
 * turn. Interleaving spreads the machine's background noise evenly over the models being compared.
 */
public final class LatencyMeter {
    private LatencyMeter() {
    }

    /** Median and 90th percentile of the timed runs, in milliseconds. */
    public record Latency(double medianMs, double p90Ms, int runs) {
    }

    public static List<Latency> measure(List<? extends InferenceModel> models, int warmup, int runs, long seed) {
        return measure(models, 1, warmup, runs, seed);
    }

    /** Latency of one forward pass over {@code batch} images. */
    public static List<Latency> measure(List<? extends InferenceModel> models, int batch, int warmup, int runs,
            long seed) {
        int rounds = Math.max(1, Math.min(10, runs / 5));
        int perRound = Math.max(1, runs / rounds);
        List<double[]> samples = new ArrayList<>();
        List<InferenceModel.TimedRun> inferences = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);
        try {
            for (InferenceModel model : models) {
                float[] images = new float[Math.toIntExact(batch * model.spec().input().elements())];
                for (int i = 0; i < images.length; i++) {
                    images[i] = (float) random.nextGaussian();
                }
                inferences.add(model.timed(images, batch));
                samples.add(new double[rounds * perRound]);
            }
            for (InferenceModel.TimedRun inference : inferences) {
                for (int i = 0; i < warmup; i++) {
                    inference.run();
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (int m = 0; m < inferences.size(); m++) {
                    for (int i = 0; i < perRound; i++) {
                        long start = System.nanoTime();
                        inferences.get(m).run();
                        samples.get(m)[round * perRound + i] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
        } finally {
            inferences.forEach(InferenceModel.TimedRun::close);
        }
        List<Latency> out = new ArrayList<>();
        for (double[] s : samples) {
            double[] sorted = s.clone();
            Arrays.sort(sorted);
            out.add(new Latency(Quantiles.of(sorted, 0.5), Quantiles.of(sorted, 0.9), sorted.length));
        }
        return out;
    }
}
