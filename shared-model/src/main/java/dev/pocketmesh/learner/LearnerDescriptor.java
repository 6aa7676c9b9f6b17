package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.search.SearchSpace;
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

    /** Errors in the user's parameters; {@code prefix} is the dotted path they sit under in the job file. */
    List<FieldError> validate(Map<String, Object> params, String prefix);

    /** The parameters with defaults filled in (called only on parameters that passed {@link #validate}). */
    Map<String, Object> withDefaults(Map<String, Object> params);

    SearchSpace searchSpace(Map<String, Object> params);

    /** The configuration of the uncompressed model, trained and measured as the job's baseline. */
    Map<String, Object> baselineConfig(Map<String, Object> params);
}
