package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link WeightPruner#prune}: the smaller network, its weights (passing
 * {@link WeightShapes#check}), the original output-channel indices each pruned unit kept (ascending; units left
 * whole are absent), and human-readable notes (fallbacks, reconstruction errors), in pruning order.
 */
public record PrunedModel(NetSpec spec, Weights weights, Map<String, int[]> keptByUnit, List<String> notes) {
    public PrunedModel {
        Map<String, int[]> copy = new LinkedHashMap<>();
        keptByUnit.forEach((unit, kept) -> copy.put(unit, kept.clone()));
        keptByUnit = Collections.unmodifiableMap(copy);
        notes = List.copyOf(notes);
    }
}
