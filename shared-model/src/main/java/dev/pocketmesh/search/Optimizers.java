package dev.pocketmesh.search;

import java.util.List;
import java.util.Set;

/** The optimisers a job (or a study of the ask/tell API) can name in {@code search.optimizer}. */
public final class Optimizers {
    public static final String RANDOM = "random";
    public static final String GRID = "grid";
    public static final String SOBOL = "sobol";
    public static final String TPE = "tpe";
    public static final String GP = "gp";
    /** AMC-style reinforcement learning; provided by model-core (DJL) through {@link SamplerProvider}. */
    public static final String DDPG = "ddpg";
    /** In the order the docs and error messages list them. */
    public static final List<String> ORDERED = List.of(RANDOM, GRID, SOBOL, TPE, GP, DDPG);
    public static final Set<String> NAMES = Set.copyOf(ORDERED);
    /** Points per float parameter of the {@code grid} optimiser. */
    static final int GRID_POINTS_PER_FLOAT = 5;

    private Optimizers() {
    }

    public static Sampler create(String name, long seed) {
        return switch (name == null ? "" : name) {
            case RANDOM -> new RandomSampler(seed);
            case GRID -> new GridSampler(seed, GRID_POINTS_PER_FLOAT);
            case SOBOL -> new SobolSampler(seed);
            case TPE -> new TpeSampler(seed);
            case GP -> new GpSampler(seed);
            case DDPG -> provided(DDPG, seed);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: " + ORDERED);
        };
    }

    /** A sampler another module provides (the thread's class loader first: Quarkus loads the application there). */
    private static Sampler provided(String name, long seed) {
        for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(),
                Optimizers.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            for (SamplerProvider provider : java.util.ServiceLoader.load(SamplerProvider.class, loader)) {
                if (provider.name().equals(name)) {
                    return provider.create(seed);
                }
            }
        }
        throw new IllegalArgumentException("optimizer '" + name + "' needs model-core (DJL) on the class path");
    }
}
