package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the mesh knows about a learner before running it: which parameters and targets it accepts, the
 * search space it declares, and the configuration that means "uncompressed". The training code itself
 * lives in the trial worker; this side is shared so that the orchestrator can validate a job and the
 * hpo-service can search without loading any model code.
 */
public interface LearnerDescriptor {
    String name();

    String description();

    /** Target keys this learner understands, e.g. {@code flopsRatio}. */
    Set<String> targets();

    /**
     * Why a target value cannot be asked of this learner, or empty when it can. By default a reduction ratio (a key
     * ending in {@code Ratio}) must be at least 1.
     */
    default java.util.Optional<String> checkTarget(String key, double value) {
        return key.endsWith("Ratio") && value < 1
                ? java.util.Optional.of("a reduction ratio must be >= 1 (got " + value + ")")
                : java.util.Optional.empty();
    }

    /** Errors in the user's parameters; {@code prefix} is the dotted path they sit under in the job file. */
    List<FieldError> validate(Map<String, Object> params, String prefix);

    /** The parameters with defaults filled in (called only on parameters that passed {@link #validate}). */
    Map<String, Object> withDefaults(Map<String, Object> params);

    /** The parameters a study searches for this (already validated) job. */
    SearchSpace searchSpace(JobSpec spec);

    /**
     * The parameters searched when this learner compresses {@code input} (in a pipeline, the network as an earlier
     * stage leaves it). By default the same as {@link #searchSpace(JobSpec)}.
     */
    default SearchSpace searchSpace(JobSpec spec, dev.pocketmesh.model.NetSpec input) {
        return searchSpace(spec);
    }

    /** The network a configuration of this learner turns {@code input} into (its shape; weights aside). */
    default dev.pocketmesh.model.NetSpec output(dev.pocketmesh.model.NetSpec input, Map<String, Object> config) {
        return input;
    }

    /**
     * Whether a candidate runs as the fp32 network {@link #output} builds: what a latency table of fp32 pieces (the
     * evaluator's latency model) can estimate before training. Quantized, sparse or codebook candidates run other
     * kernels, so by default no.
     */
    default boolean runsAsOutputNetwork() {
        return false;
    }

    /** The configuration of the uncompressed model, trained and measured as the job's baseline. */
    Map<String, Object> baselineConfig(JobSpec spec);

    /**
     * Errors that depend on the whole job rather than on the parameters alone: the model and dataset must suit
     * the learner, the targets must be reachable. Called once the spec is otherwise valid.
     */
    default List<FieldError> validateJob(JobSpec spec) {
        return List.of();
    }

    /**
     * The configuration a trial actually trains for an optimiser's suggestion: learners with constraints (e.g. a
     * FLOPs target every proposal must meet) repair the suggestion here. By default the suggestion itself.
     */
    default Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec) {
        return suggestion;
    }

    /** {@link #complete(Map, JobSpec)} when this learner compresses {@code input} (a pipeline's later stage). */
    default Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec,
            dev.pocketmesh.model.NetSpec input) {
        return complete(suggestion, spec);
    }
}
