package dev.pocketmesh.search;

/**
 * An optimiser that lives outside this module, found with {@link java.util.ServiceLoader}: the DDPG agent needs DJL,
 * which the orchestrator (validating jobs) has no use for, so model-core provides it to the services that propose.
 */
public interface SamplerProvider {
    /** The name a job's {@code search.optimizer} gives. */
    String name();

    Sampler create(long seed);
}
