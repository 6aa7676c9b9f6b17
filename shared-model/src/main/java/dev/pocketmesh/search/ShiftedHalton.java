package dev.pocketmesh.search;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Low-discrepancy points in the unit cube: the Halton sequence (radical inverses in the first primes) with a random
 * Cranley-Patterson shift per dimension, so the points cover the cube more evenly than uniform draws while each
 * seed still gives a different set.
 */
final class ShiftedHalton {
    private ShiftedHalton() {
    }

    static List<double[]> points(int count, int dimensions, SplittableRandom random) {
        int[] primes = firstPrimes(dimensions);
        double[] shift = new double[dimensions];
        for (int k = 0; k < dimensions; k++) {
            shift[k] = random.nextDouble();
        }
        // Skip a seeded number of leading indices too: the first points of high bases are strongly correlated.
        int skip = 1 + random.nextInt(1000);
        List<double[]> points = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double[] u = new double[dimensions];
            for (int k = 0; k < dimensions; k++) {
                double v = radicalInverse(i + skip, primes[k]) + shift[k];
                u[k] = v >= 1 ? v - 1 : v;
            }
            points.add(u);
        }
        return points;
    }

    /** The digits of {@code index} in base {@code base}, mirrored about the radix point. */
    static double radicalInverse(int index, int base) {
        double result = 0;
        double scale = 1.0 / base;
        int i = index;
        while (i > 0) {
            result += (i % base) * scale;
            i /= base;
            scale /= base;
        }
        return result;
    }

    static int[] firstPrimes(int count) {
        int[] primes = new int[count];
        int found = 0;
        for (int candidate = 2; found < count; candidate++) {
            boolean prime = true;
            for (int f = 0; f < found && primes[f] * primes[f] <= candidate; f++) {
                if (candidate % primes[f] == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                primes[found++] = candidate;
            }
        }
        return primes;
    }
}
