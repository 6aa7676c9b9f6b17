package dev.pocketmesh.search;

import dev.pocketmesh.contracts.TrialState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One proposal as a study makes it: the sampler's suggestion, only the parameters that apply, then the learner's
 * projection (e.g. onto a FLOPs target, in whole channels). Projection maps many suggestions onto one
 * configuration, so a model-based sampler that keeps refining a point can keep getting back a trial it already
 * has: budget spent on nothing new. A projection that repeats a configuration tried or in flight is therefore shown
 * to the sampler as a pending point at what it suggested, and the sampler asked again, with randomness of its own,
 * up to {@link #RETRIES} times, then random points as often; if all of them repeat (a space nearly used up), the
 * sampler's first proposal stands.
 *
 * <p>A study may also screen configurations before they are trained ({@code admits}, e.g. a latency estimate against
 * a latency target): a refused one is shown to the sampler the same way, as a pending point, and the sampler asked
 * again within the same bounded tries. Telling it the point as infeasible would need an objective value that no
 * training produced, so the pending point (which steers a model-based sampler away by constant liar) is the whole
 * signal. If every try is refused, the first new configuration goes out anyway: its measurement then tells the
 * optimiser, through the objective's penalty, what the screen could only guess.
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
        return next(sampler, seed, space, history, number, project, config -> true);
    }

    /** @param admits whether a projected configuration (not a repeat) may be proposed */
    public static Map<String, Object> next(Sampler sampler, long seed, SearchSpace space, List<Observation> history,
            int number, UnaryOperator<Map<String, Object>> project, Predicate<Map<String, Object>> admits) {
        List<Observation> seen = new ArrayList<>(history);
        Map<String, Object> first = null;
        Map<String, Object> firstRefused = null;
        for (int attempt = 0; attempt <= 2 * RETRIES; attempt++) {
            int drawAs = number + attempt * RETRY_STRIDE;
            // The sampler first; if it keeps landing on known configurations, random points (a model that insists
            // on a spot the projection cannot resolve learns more from anywhere new).
            Sampler from = attempt <= RETRIES ? sampler : new RandomSampler(seed ^ RANDOM_FALLBACK_STREAM);
            Map<String, Object> suggestion = space.activeOnly(from.suggest(space, seen, drawAs));
            Map<String, Object> projected = project.apply(suggestion);
            if (!repeats(projected, history)) {
                if (admits.test(projected)) {
                    return projected;
                }
                firstRefused = firstRefused == null ? projected : firstRefused;
            }
            first = first == null ? projected : first;
            seen.add(new Observation(drawAs, null, suggestion, null, TrialState.PROPOSED));
        }
        return firstRefused != null ? firstRefused : first;
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
