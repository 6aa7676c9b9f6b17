package dev.pocketmesh.learner;

import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.search.BudgetProjection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-layer setting searched under a network-wide budget that is its weighted mean: bit widths under
 * {@code equivalentBits} (mean bits per weight), sparsities under {@code sparsity} (share of weights pruned). Like
 * channel pruning's FLOPs projection, a suggestion is moved onto the budget by one factor for every layer
 * ({@link BudgetProjection}) and what whole steps leave over is given back one step at a time to the smallest
 * layers: the result meets the budget and no layer could take one more step.
 */
final class LayerBudget {
    private LayerBudget() {
    }

    /**
     * Integer settings (bits) whose weighted mean must not exceed {@code maxMean}: the suggestion's distance above
     * {@code low} is scaled by the largest factor that fits, then layers grow by 1 while the mean still fits.
     */
    static Map<String, Integer> atMost(List<WeightLayers.WeightLayer> layers, Map<String, Integer> suggested, int low,
            int high, double maxMean) {
        double total = layers.stream().mapToLong(WeightLayers.WeightLayer::weights).sum();
        java.util.function.DoubleFunction<Map<String, Integer>> at = t -> {
            Map<String, Integer> out = new LinkedHashMap<>();
            for (WeightLayers.WeightLayer l : layers) {
                int s = suggested.getOrDefault(l.name(), high);
                out.put(l.name(), Math.max(low, Math.min(high, low + (int) Math.floor((s - low) * t + 1e-9))));
            }
            return out;
        };
        java.util.function.ToDoubleFunction<Map<String, Integer>> mean = m -> layers.stream()
                .mapToDouble(l -> m.get(l.name()) * (double) l.weights()).sum() / total;
        double scale = BudgetProjection.largestFeasibleScale(t -> mean.applyAsDouble(at.apply(t)) <= maxMean + 1e-9);
        Map<String, Integer> out = at.apply(scale);
        List<WeightLayers.WeightLayer> smallestFirst = layers.stream()
                .sorted(java.util.Comparator.comparingLong(WeightLayers.WeightLayer::weights)).toList();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (WeightLayers.WeightLayer l : smallestFirst) {
                int now = out.get(l.name());
                if (now < high && mean.applyAsDouble(out) + l.weights() / total <= maxMean + 1e-9) {
                    out.put(l.name(), now + 1);
                    grew = true;
                }
            }
        }
        return out;
    }

    /**
     * Sparsities whose weighted mean is at least {@code minMean}: the suggestion scaled up (capped at {@code high})
     * by the smallest factor that reaches it, or down when it prunes more than asked.
     */
    static Map<String, Double> atLeast(List<WeightLayers.WeightLayer> layers, Map<String, Double> suggested,
            double high, double minMean) {
        double total = layers.stream().mapToLong(WeightLayers.WeightLayer::weights).sum();
        java.util.function.DoubleFunction<Map<String, Double>> at = t -> {
            Map<String, Double> out = new LinkedHashMap<>();
            for (WeightLayers.WeightLayer l : layers) {
                // Keep-fractions scale, so a layer never passes 'high' and the order between layers is kept.
                double keep = 1 - suggested.getOrDefault(l.name(), minMean);
                out.put(l.name(), Math.min(high, Math.max(0, 1 - keep * t)));
            }
            return out;
        };
        java.util.function.ToDoubleFunction<Map<String, Double>> mean = m -> layers.stream()
                .mapToDouble(l -> m.get(l.name()) * l.weights()).sum() / total;
        // The largest keep-scale whose sparsity still reaches the target keeps the most weights.
        double maxScale = 1 / Math.max(1e-6, layers.stream()
                .mapToDouble(l -> 1 - suggested.getOrDefault(l.name(), minMean)).min().orElse(1));
        double scale = BudgetProjection.largestFeasibleScale(0, maxScale,
                t -> mean.applyAsDouble(at.apply(t)) >= minMean - 1e-9);
        return at.apply(scale);
    }

    static double weightedMean(List<WeightLayers.WeightLayer> layers, Map<String, ? extends Number> values) {
        double total = layers.stream().mapToLong(WeightLayers.WeightLayer::weights).sum();
        return layers.stream().mapToDouble(l -> values.get(l.name()).doubleValue() * l.weights()).sum() / total;
    }

    /** What the DDPG agent sees of a weight layer: its position, its size (log2 / 20) and its share of the weights. */
    static List<Double> descriptor(List<WeightLayers.WeightLayer> layers, int index) {
        double total = layers.stream().mapToLong(WeightLayers.WeightLayer::weights).sum();
        WeightLayers.WeightLayer l = layers.get(index);
        return List.of(layers.size() > 1 ? (double) index / (layers.size() - 1) : 0.0,
                Math.log(Math.max(1, l.weights())) / Math.log(2) / 20, l.weights() / total);
    }
}
