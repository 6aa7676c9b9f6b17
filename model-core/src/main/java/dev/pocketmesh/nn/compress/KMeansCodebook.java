package dev.pocketmesh.nn.compress;

import java.util.Arrays;

/**
 * Weight sharing (Han et al., Deep Compression): the values of a layer are clustered into 2^bits centroids by 1-D
 * k-means, and each weight is stored as the index of its centroid. Centroids start evenly spaced between the
 * smallest and the largest value (the paper's "linear" initialisation, which keeps the rare large weights
 * represented), then Lloyd iterations run on the sorted values, where every cluster is a contiguous run.
 */
public final class KMeansCodebook {
    private KMeansCodebook() {
    }

    /** Centroids (ascending) and, per value, the index of its centroid. */
    public record Codebook(float[] centroids, int[] indices) {
        /** The values as the codebook represents them. */
        public float[] decode() {
            float[] out = new float[indices.length];
            for (int i = 0; i < indices.length; i++) {
                out[i] = centroids[indices[i]];
            }
            return out;
        }
    }

    public static Codebook fit(float[] values, int bits, int iterations) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits must be in [1, 8], got " + bits);
        }
        int k = 1 << bits;
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        float[] centroids = new float[k];
        float min = sorted.length == 0 ? 0 : sorted[0];
        float max = sorted.length == 0 ? 0 : sorted[sorted.length - 1];
        for (int c = 0; c < k; c++) {
            centroids[c] = k == 1 ? (min + max) / 2 : min + (max - min) * c / (k - 1);
        }
        double[] prefix = new double[sorted.length + 1];
        for (int i = 0; i < sorted.length; i++) {
            prefix[i + 1] = prefix[i] + sorted[i];
        }
        for (int it = 0; it < iterations; it++) {
            boolean moved = false;
            int from = 0;
            for (int c = 0; c < k; c++) {
                // Cluster c holds the sorted values below the midpoint to the next centroid.
                int to = c == k - 1 ? sorted.length : upperBound(sorted, (centroids[c] + centroids[c + 1]) / 2);
                to = Math.max(to, from);
                if (to > from) {
                    float mean = (float) ((prefix[to] - prefix[from]) / (to - from));
                    moved |= mean != centroids[c];
                    centroids[c] = mean;
                }
                from = to;
            }
            Arrays.sort(centroids);
            if (!moved) {
                break;
            }
        }
        return new Codebook(centroids, assign(values, centroids));
    }

    /** The index of the nearest centroid (ascending centroids) for each value. */
    public static int[] assign(float[] values, float[] centroids) {
        int[] indices = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            int pos = Arrays.binarySearch(centroids, values[i]);
            if (pos >= 0) {
                indices[i] = pos;
                continue;
            }
            int hi = -pos - 1;
            if (hi == 0) {
                indices[i] = 0;
            } else if (hi == centroids.length) {
                indices[i] = centroids.length - 1;
            } else {
                indices[i] = values[i] - centroids[hi - 1] <= centroids[hi] - values[i] ? hi - 1 : hi;
            }
        }
        return indices;
    }

    private static int upperBound(float[] sorted, float x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
