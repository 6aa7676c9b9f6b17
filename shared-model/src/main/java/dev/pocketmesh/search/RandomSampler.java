package dev.pocketmesh.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Independent uniform sampling; trial n draws from its own stream derived from (seed, n). */
public final class RandomSampler implements Sampler {
    private final long seed;

    public RandomSampler(long seed) {
        this.seed = seed;
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, List<Observation> history, int trialNumber) {
        // A fresh stream per trial number, not one shared stream: the n-th proposal must not depend on how
        // many proposals this process happened to make before (restarts, replicas).
        SplittableRandom random = streamFor(seed, trialNumber);
        Map<String, Object> config = new LinkedHashMap<>();
        for (Parameter p : space.parameters()) {
            config.put(p.name(), sample(p, random));
        }
        return config;
    }

    /**
     * The random stream of trial {@code trialNumber} in a study seeded {@code seed}, for every sampler. The pair is
     * hashed: SplittableRandom steps by the golden-ratio constant, so a plain {@code seed * golden + number} would
     * make seed s + 1's streams those of seed s shifted by one trial.
     */
    public static SplittableRandom streamFor(long seed, int trialNumber) {
        return new SplittableRandom(SeededPermutation.mix(SeededPermutation.mix(seed) + trialNumber));
    }

    static Object sample(Parameter p, SplittableRandom random) {
        if (p instanceof Parameter.FloatParameter f) {
            if (f.log()) {
                double lo = Math.log(f.low());
                double hi = Math.log(f.high());
                return Math.exp(lo + random.nextDouble() * (hi - lo));
            }
            return f.low() + random.nextDouble() * (f.high() - f.low());
        }
        if (p instanceof Parameter.IntParameter i) {
            return i.low() + random.nextInt(i.high() - i.low() + 1);
        }
        Parameter.CategoricalParameter c = (Parameter.CategoricalParameter) p;
        return c.choices().get(random.nextInt(c.choices().size()));
    }
}
