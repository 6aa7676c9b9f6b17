package dev.pocketmesh.nn.data;

import dev.pocketmesh.model.Shape;
import java.util.SplittableRandom;

/**
 * A seeded, learnable stand-in for a real dataset (tests, demos): 1-channel images where each class has a fixed
 * smooth prototype (a few Gaussian blobs, added to a pattern all classes share, so classes differ in part of the
 * image only), and each example is its class prototype shifted by a few pixels, with random contrast and pixel
 * noise. A small CNN learns it in an epoch or two; an untrained one is at chance.
 * <p>
 * Example {@code i} depends only on {@code (dataSeed, i)} and its label is {@code i mod classes}, so a larger
 * set extends a smaller one and any process generates the same images.
 */
public final class SyntheticImages {
    /** Pixel noise, standard deviation on the [0, 1] scale. */
    static final double NOISE = 0.25;
    private static final int BLOBS_SHARED = 3;
    private static final int BLOBS_PER_CLASS = 3;
    /** The part of a prototype that is the class's own (the rest is shared by every class). */
    private static final double CLASS_WEIGHT = 0.5;

    private SyntheticImages() {
    }

    public static RawImages generate(int count, int classes, int side, long dataSeed) {
        if (count < 0 || classes < 1 || side < 4) {
            throw new IllegalArgumentException("synthetic images need count >= 0, classes >= 1 and side >= 4; got "
                    + count + ", " + classes + ", " + side);
        }
        float[][] prototypes = prototypes(classes, side, dataSeed);
        int per = side * side;
        int maxShift = Math.max(1, side / 10);
        byte[] pixels = new byte[Math.multiplyExact(count, per)];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            SplittableRandom random = new SplittableRandom(mix(dataSeed, 0x5EED_0000_0000L + i));
            int label = i % classes;
            int dx = random.nextInt(-maxShift, maxShift + 1);
            int dy = random.nextInt(-maxShift, maxShift + 1);
            double contrast = 0.75 + 0.5 * random.nextDouble();
            float[] prototype = prototypes[label];
            for (int y = 0; y < side; y++) {
                int sy = Math.max(0, Math.min(side - 1, y - dy));
                for (int x = 0; x < side; x++) {
                    int sx = Math.max(0, Math.min(side - 1, x - dx));
                    double value = 0.5 + contrast * (prototype[sy * side + sx] - 0.5) + NOISE * gaussian(random);
                    pixels[i * per + y * side + x] = (byte) Math.round(255 * Math.max(0, Math.min(1, value)));
                }
            }
            labels[i] = label;
        }
        return new RawImages(Shape.chw(1, side, side), pixels, labels, "synthetic(seed " + dataSeed + ")");
    }

    /** One smooth pattern per class, each scaled to [0.15, 0.85] so noise and contrast keep inside [0, 1]. */
    static float[][] prototypes(int classes, int side, long dataSeed) {
        double[] shared = blobs(new SplittableRandom(mix(dataSeed, -1)), BLOBS_SHARED, side);
        float[][] out = new float[classes][];
        for (int k = 0; k < classes; k++) {
            double[] own = blobs(new SplittableRandom(mix(dataSeed, k)), BLOBS_PER_CLASS, side);
            double[] pattern = new double[side * side];
            for (int p = 0; p < pattern.length; p++) {
                pattern[p] = (1 - CLASS_WEIGHT) * shared[p] + CLASS_WEIGHT * own[p];
            }
            out[k] = scale(pattern, 0.15, 0.85);
        }
        return out;
    }

    /** A sum of Gaussian blobs with random centres, widths and signs, scaled to [0, 1]. */
    private static double[] blobs(SplittableRandom random, int count, int side) {
        double[] pattern = new double[side * side];
        for (int b = 0; b < count; b++) {
            double cx = side * (0.2 + 0.6 * random.nextDouble());
            double cy = side * (0.2 + 0.6 * random.nextDouble());
            double sigma = side * (0.08 + 0.12 * random.nextDouble());
            double amplitude = (random.nextBoolean() ? 1 : -1) * (0.5 + 0.5 * random.nextDouble());
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                    pattern[y * side + x] += amplitude * Math.exp(-d2 / (2 * sigma * sigma));
                }
            }
        }
        float[] scaled = scale(pattern, 0, 1);
        for (int p = 0; p < pattern.length; p++) {
            pattern[p] = scaled[p];
        }
        return pattern;
    }

    private static float[] scale(double[] values, double low, double high) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double range = max - min > 1e-12 ? max - min : 1;
        float[] out = new float[values.length];
        for (int p = 0; p < values.length; p++) {
            out[p] = (float) (low + (high - low) * (values[p] - min) / range);
        }
        return out;
    }

    /** A standard normal draw; Box-Muller here, so the images do not depend on a JDK's nextGaussian algorithm. */
    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** Two longs into one well-mixed seed (SplitMix64 finaliser over a combination). */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
