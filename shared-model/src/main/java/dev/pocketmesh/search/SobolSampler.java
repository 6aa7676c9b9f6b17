package dev.pocketmesh.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hipparchus.random.SobolSequenceGenerator;

/**
 * Quasi-random search: trial n takes point n - 1 of a Sobol sequence (Joe and Kuo's direction numbers, from
 * Hipparchus), one coordinate per parameter in the space's order, so any run of trials fills the box more evenly
 * than independent draws: the first 2^m trials put exactly one point in each of the 2^m equal slices of every
 * coordinate. Each seed gives its own sequence through Owen's nested uniform scramble, applied per coordinate with a
 * hash (as in Burley 2020): it keeps that stratification, makes every point uniformly distributed (so point 0 is no
 * longer the corner 0 and is used), and gives independent-looking sequences for different seeds.
 *
 * <p>The point depends only on (seed, trial number), never on the history: trials in flight already hold
 * distinct numbers, hence distinct points.
 */
public final class SobolSampler implements Sampler {
    /** Hipparchus scales its Sobol integers to this many bits. */
    private static final int BITS = 52;
    private static final double SCALE = 0x1p52;

    private final long seed;

    public SobolSampler(long seed) {
        this.seed = seed;
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, List<Observation> history, int trialNumber) {
        List<Parameter> parameters = space.parameters();
        Map<String, Object> config = new LinkedHashMap<>();
        if (parameters.isEmpty()) {
            return config;
        }
        // Trial 1 takes point 0: scrambled, it is an ordinary uniform point, and keeping it makes trials
        // 1..2^m a full net (Owen 2020, "On dropping the first Sobol' point").
        double[] point = point(parameters.size(), trialNumber - 1);
        for (int d = 0; d < parameters.size(); d++) {
            config.put(parameters.get(d).name(), UnitScale.decode(parameters.get(d), point[d]));
        }
        return config;
    }

    /** Point {@code index} of this seed's scrambled sequence in [0, 1)^dimension. */
    double[] point(int dimension, int index) {
        // Generator construction reads the direction numbers for the first `dimension` coordinates only.
        double[] raw = new SobolSequenceGenerator(dimension).skipTo(Math.max(0, index));
        long base = seed * 0x9E3779B97F4A7C15L + 0x50B0L;
        double[] scrambled = new double[dimension];
        for (int d = 0; d < dimension; d++) {
            long bits = (long) (raw[d] * SCALE);
            scrambled[d] = owen(bits, SeededPermutation.mix(base + d)) / SCALE;
        }
        return scrambled;
    }

    /**
     * Owen's nested uniform scramble of a 52-bit fraction: bit j is flipped by a pseudo-random bit that depends on
     * the key and on the bits above j, so every dyadic interval's halves are swapped or not independently.
     */
    static long owen(long bits, long key) {
        long out = 0;
        for (int j = BITS - 1; j >= 0; j--) {
            long prefix = bits >>> (j + 1);
            long flip = SeededPermutation.mix(key ^ SeededPermutation.mix(prefix + ((long) j << 56))) & 1L;
            out |= (((bits >>> j) & 1L) ^ flip) << j;
        }
        return out;
    }
}
