package dev.pocketmesh.nn.data;

import java.util.SplittableRandom;

/** Orders of examples: the identity, and seeded shuffles (splits, per-epoch batches, samples). */
public final class Permutations {
    private Permutations() {
    }

    public static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** A seeded Fisher-Yates permutation of 0..n-1: the same seed gives the same order in every process. */
    public static int[] shuffled(int n, long seed) {
        int[] order = identity(n);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
