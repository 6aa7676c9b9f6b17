package dev.pocketmesh.search;

import java.util.SplittableRandom;

/**
 * A seeded pseudo-random permutation of {0, ..., size - 1} computed one position at a time, in O(1) memory
 * whatever the size: a balanced Feistel network over the smallest even number of bits covering the size, with
 * cycle walking (re-applying the network until the result falls inside the range), which keeps it a bijection.
 */
final class SeededPermutation {
    private static final int ROUNDS = 4;

    private final long size;
    private final int halfBits;
    private final long halfMask;
    private final long[] keys = new long[ROUNDS];

    SeededPermutation(long size, long seed) {
        if (size < 1 || size > (1L << 62)) {
            throw new IllegalArgumentException("permutation size " + size + " out of range");
        }
        this.size = size;
        int bits = Math.max(2, Long.SIZE - Long.numberOfLeadingZeros(size - 1));
        this.halfBits = (bits + 1) / 2;
        this.halfMask = (1L << halfBits) - 1;
        SplittableRandom random = new SplittableRandom(mix(seed));
        for (int r = 0; r < ROUNDS; r++) {
            keys[r] = random.nextLong();
        }
    }

    /** The element at {@code position} (in [0, size)) of the shuffled order. */
    long at(long position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException(position);
        }
        long x = position;
        do {
            x = encrypt(x);
        } while (x >= size);
        return x;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (int r = 0; r < ROUNDS; r++) {
            long next = left ^ (mix(right ^ keys[r]) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }

    /** A 64-bit finaliser (the one SplittableRandom uses): the round function, and a seed hash for the samplers. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
