package dev.pocketmesh.search;

import java.util.List;
import java.util.Map;

/**
 * Proposes configurations, after Optuna's sampler split: the study owns the history, the sampler only
 * turns (space, history, trial number) into a configuration. A sampler is deterministic for a given seed,
 * history and trial number, so a restarted service proposes what an uninterrupted one would have.
 */
public interface Sampler {
    Map<String, Object> suggest(SearchSpace space, List<Observation> history, int trialNumber);
}
