package dev.pocketmesh.hpo.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.pocketmesh.search.SearchSpace;
import java.util.List;

/**
 * An ask/tell study's definition, as stored in Redis: fixed at creation, never changed afterwards. The trials live
 * apart (AskTellTrial), so the definition is the only thing a sampler needs besides the history.
 *
 * @param directions one or two of {@code maximize} / {@code minimize}, one per objective
 */
public record AskTellStudy(String id, String name, SearchSpace space, List<String> directions, String optimizer,
        long seed, long createdAt) {
    public static final String MAXIMIZE = "maximize";
    public static final String MINIMIZE = "minimize";

    @JsonIgnore
    public int objectives() {
        return directions.size();
    }

    /** +1 for a maximised objective, -1 for a minimised one: value * sign is always "higher is better". */
    public double sign(int objective) {
        return MINIMIZE.equals(directions.get(objective)) ? -1.0 : 1.0;
    }
}
