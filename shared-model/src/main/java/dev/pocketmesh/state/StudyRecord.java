package dev.pocketmesh.state;

import dev.pocketmesh.json.Json;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.time.Instant;
import java.util.Map;

/**
 * A job's study in Redis: the space, the optimiser, the budget and how many trial numbers have been handed
 * out. The optimiser's knowledge is the list of observations beside it, from which any replica rebuilds it.
 */
public record StudyRecord(String jobId, State state, String optimizer, long seed, int budget, int parallelism,
        int proposed, long told, SearchSpace space, JobSpec spec, Instant createdAt) {

    public enum State {
        OPEN, COMPLETED, CANCELLED
    }

    /** Trials handed out and not yet told: what counts against {@code parallelism}. */
    public int inFlight() {
        return (int) Math.max(0, proposed - told);
    }

    static StudyRecord fromHash(Map<String, String> h, long told) {
        if (h == null || h.isEmpty()) {
            return null;
        }
        return new StudyRecord(h.get("jobId"), State.valueOf(h.get("state")), h.get("optimizer"),
                Long.parseLong(h.get("seed")), Integer.parseInt(h.get("budget")),
                Integer.parseInt(h.get("parallelism")), Integer.parseInt(h.get("proposed")), told,
                Json.read(h.get("space"), SearchSpace.class), Json.read(h.get("spec"), JobSpec.class),
                Instant.ofEpochMilli(Long.parseLong(h.get("createdAt"))));
    }
}
