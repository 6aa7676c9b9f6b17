package dev.pocketmesh.search;

import java.util.Set;

/** The optimisers a job can name in {@code search.optimizer}. */
public final class Optimizers {
    public static final String RANDOM = "random";
    public static final Set<String> NAMES = Set.of(RANDOM);

    private Optimizers() {
    }

    public static Sampler create(String name, long seed) {
        return switch (name) {
            case RANDOM -> new RandomSampler(seed);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: " + NAMES);
        };
    }
}
