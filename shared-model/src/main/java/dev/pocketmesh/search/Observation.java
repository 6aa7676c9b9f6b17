package dev.pocketmesh.search;

import dev.pocketmesh.contracts.TrialState;
import java.util.Map;

/** What the optimiser has seen of one finished trial: its configuration and objective value (null if failed). */
public record Observation(int number, String trialId, Map<String, Object> config, Double value, TrialState state) {
}
