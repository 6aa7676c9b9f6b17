package dev.pocketmesh.learner;

import dev.pocketmesh.spec.JobSpec;
import java.util.Map;

/** Small channel-pruning jobs on a zoo network and synthetic data, for tests of the search side and the grid. */
public final class ChannelPruningJobs {
    private ChannelPruningJobs() {
    }

    /** @param flopsRatio the job's {@code target.flopsRatio}, or null for none */
    public static JobSpec job(String zoo, Map<String, Object> params, Double flopsRatio) {
        return new JobSpec("t", new JobSpec.Model(zoo, null), new JobSpec.Dataset("synthetic", null, 300),
                new JobSpec.Compression(ChannelPruningLearner.NAME, params,
                        flopsRatio == null ? Map.of() : Map.of("flopsRatio", flopsRatio)),
                new JobSpec.Search("random", 4, 1, 1), new JobSpec.Training(1, 32, 0.01, "cpu"), null);
    }
}
