package dev.pocketmesh.search;

import dev.pocketmesh.contracts.TrialState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One proposal as a study makes it: the sampler's suggestion, only the parameters that apply, then the learner's
 * projection (e.g. onto a FLOPs target, in whole channels). Projection maps many suggestions onto one
 * configuration, so a model-based sampler that keeps refining a point can keep getting back a trial it already
 * has: budget spent on nothing new. A projection that repeats a configuration tried or in flight is therefore shown
 * to the sampler as a pending point at what it suggested, and the sampler asked again, with randomness of its own,
 * up to {@link #RETRIES} times, then random points as often; if all of them repeat (a space nearly used up), the
 * sampler's first proposal stands.
 */
public final class ProjectedSuggestion {
    public static final int RETRIES = 4;
    /** Retry k draws as trial {@code number + k · RETRY_STRIDE}: deterministic, and no real trial's number. */
    static final int RETRY_STRIDE = 10_000_000;
    /** The random fallback draws from the study's seed twisted, apart from the sampler's own streams. */
    private static final long RANDOM_FALLBACK_STREAM = 0x6A09E667F3BCC909L;

    private ProjectedSuggestion() {
    }

    /** @param seed the study's seed, for the random fallback */
    public static Map<String, Object> next(Sampler sampler, long seed, SearchSpace space, List<Observation> history,
            int number, UnaryOperator<Map<String, Object>> project) {
        List<Observation> seen = new ArrayList<>(history);
        Map<String, Object> first = null;
        for (int attempt = 0; attempt <= 2 * RETRIES; attempt++) {
            int drawAs = number + attempt * RETRY_STRIDE;
            // The sampler first; if it keeps landing on known configurations, random points (a model that insists
            // on a spot the projection cannot resolve learns more from anywhere new).
            Sampler from = attempt <= RETRIES ? sampler : new RandomSampler(seed ^ RANDOM_FALLBACK_STREAM);
            Map<String, Object> suggestion = space.activeOnly(from.suggest(space, seen, drawAs));
            Map<String, Object> projected = project.apply(suggestion);
            if (!repeats(projected, history)) {
                return projected;
            }
            first = first == null ? projected : first;
            seen.add(new Observation(drawAs, null, suggestion, null, TrialState.PROPOSED));
        }
        return first;
    }



    private static boolean repeats(Map<String, Object> config, List<Observation> history) {
        for (Observation o : history) {
            if (config.equals(o.config())) {
                return true;
            }
        }
        return false;
    }
}
