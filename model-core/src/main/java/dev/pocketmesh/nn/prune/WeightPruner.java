package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Channel pruning of a network with its weights: every {@link PruningUnits pruning unit} named in
 * {@code keepByUnit} keeps that many output channels, chosen by a {@link ChannelCriterion}, and every tensor
 * touching them is sliced ({@link ChannelSlicer}). Units are pruned one after the other in spec order; with
 * {@link ChannelCriterion#RECONSTRUCTION} each unit's activations come from the network as pruned so far.
 */
public final class WeightPruner {
    private WeightPruner() {
    }

    /**
     * @param keepByUnit  channels to keep per unit name ({@link PruningUnits#of}); units not named, or named with
     *                    their full channel count, are left whole
     * @param activations consumer inputs for {@link ChannelCriterion#RECONSTRUCTION}; ignored (may be null) for
     *                    the other criteria
     * @param seed        seeds the sampling of output positions for reconstruction
     * @throws IllegalArgumentException when the weights do not match the spec, a unit name is unknown, a keep
     *                                  count is not in [1, channels], or reconstruction has no activations
     */
    public static PrunedModel prune(NetSpec spec, Weights weights, Map<String, Integer> keepByUnit,
            ChannelCriterion criterion, ActivationSource activations, long seed) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(keepByUnit, "keepByUnit");
        Objects.requireNonNull(criterion, "criterion");
        WeightShapes.check(spec, weights);
        List<PruningUnits.Unit> units = PruningUnits.of(spec);
        validate(spec, units, keepByUnit);
        if (criterion == ChannelCriterion.RECONSTRUCTION && activations == null) {
            throw new IllegalArgumentException("activations: the reconstruction criterion needs an ActivationSource");
        }
        NetSpec currentSpec = spec;
        Weights currentWeights = weights;
        Map<String, int[]> keptByUnit = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (PruningUnits.Unit unit : units) {
            Integer keep = keepByUnit.get(unit.name());
            if (keep == null || keep == unit.channels()) {
                continue;
            }
            int[] kept = null;
            Map<String, Tensor> refitted = Map.of();
            if (criterion == ChannelCriterion.RECONSTRUCTION) {
                Reconstruction.Eligibility eligibility = Reconstruction.consumerOf(currentSpec, unit.layers());
                if (eligibility.eligible()) {
                    Reconstruction.Consumer consumer = eligibility.consumer();
                    Tensor consumerWeight = currentWeights.get(consumer.layer(), Weights.WEIGHT);
                    Tensor input = activations.inputOf(consumer.layer(), currentSpec, currentWeights);
                    if (input == null) {
                        throw new IllegalArgumentException("activations: no input returned for '" + consumer.layer()
                                + "'");
                    }
                    Random random = new Random(seed ^ (unit.name().hashCode() * 0x9E3779B97F4A7C15L));
                    Reconstruction.Problem problem = Reconstruction.problem(consumer, input, consumerWeight, random);
                    kept = Reconstruction.lassoSelect(problem, keep);
                    Reconstruction.Fit fit = Reconstruction.refit(problem, kept);
                    double[] refit = fit.weights();
                    int[] shape = consumerWeight.shape();
                    shape[1] = consumer.linear() ? keep * consumer.perChannel() : keep;
                    float[] values = new float[refit.length];
                    for (int i = 0; i < refit.length; i++) {
                        values[i] = (float) refit[i];
                    }
                    refitted = Map.of(Weights.key(consumer.layer(), Weights.WEIGHT), new Tensor(shape, values));
                    notes.add(String.format(Locale.ROOT, "%s: reconstruction kept %d of %d channels; '%s' refit on %d "
                                    + "samples: relative output error %.4f (%.4f with its original weights)",
                            unit.name(), keep, unit.channels(), consumer.layer(), problem.samples,
                            fit.relativeError(), Reconstruction.droppedError(problem, kept)));
                } else {
                    notes.add(unit.name() + ": reconstruction does not apply (" + eligibility.reason()
                            + "); channels chosen by l1-norm");
                }
            }
            if (kept == null) {
                ChannelCriterion weightOnly = criterion == ChannelCriterion.RECONSTRUCTION
                        ? ChannelCriterion.L1_NORM : criterion;
                double[] scores = ChannelScores.of(weightOnly, currentSpec, currentWeights, unit.layers(), notes);
                kept = ChannelScores.top(scores, keep);
            }
            ChannelSlicer.Result sliced = ChannelSlicer.slice(currentSpec, currentWeights, unit.layers(), kept);
            currentSpec = sliced.spec();
            currentWeights = sliced.weights().with(refitted);
            keptByUnit.put(unit.name(), kept);
        }
        WeightShapes.check(currentSpec, currentWeights);
        return new PrunedModel(currentSpec, currentWeights, keptByUnit, notes);
    }

    private static void validate(NetSpec spec, List<PruningUnits.Unit> units, Map<String, Integer> keepByUnit) {
        Map<String, PruningUnits.Unit> byName = new LinkedHashMap<>();
        units.forEach(u -> byName.put(u.name(), u));
        for (Map.Entry<String, Integer> e : keepByUnit.entrySet()) {
            PruningUnits.Unit unit = byName.get(e.getKey());
            if (unit == null) {
                throw new IllegalArgumentException("keepByUnit." + e.getKey() + ": no pruning unit of that name in "
                        + spec.name() + "; units: " + byName.keySet());
            }
            Integer keep = e.getValue();
            if (keep == null || keep < 1 || keep > unit.channels()) {
                throw new IllegalArgumentException("keepByUnit." + e.getKey() + ": keep must be in [1, "
                        + unit.channels() + "], got " + keep);
            }
        }
    }
}
