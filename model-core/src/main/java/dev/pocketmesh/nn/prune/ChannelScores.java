package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/** Weight-only channel scores ({@code l1-norm}, {@code l2-norm}, {@code bn-scale}) and top-k selection. */
public final class ChannelScores {
    private ChannelScores() {
    }

    /**
     * One score per output channel of the unit formed by {@code convs}, summed over the members. For
     * {@link ChannelCriterion#BN_SCALE}, when any member has no BatchNorm right after it the whole unit is scored
     * by L1 norm instead (mixing |gamma| with filter norms would compare unlike scales) and a note says so.
     *
     * @param notes receives a line for every fallback
     * @throws IllegalArgumentException for {@link ChannelCriterion#RECONSTRUCTION} (it needs activations, see
     *                                  {@link WeightPruner}) or a conv that is not in the spec
     */
    public static double[] of(ChannelCriterion criterion, NetSpec spec, Weights weights, List<String> convs,
            List<String> notes) {
        if (criterion == ChannelCriterion.RECONSTRUCTION) {
            throw new IllegalArgumentException("criterion: reconstruction is not a weight-only score; use WeightPruner");
        }
        ChannelCriterion effective = criterion;
        if (criterion == ChannelCriterion.BN_SCALE) {
            List<String> withoutBn = convs.stream().filter(c -> batchNormAfter(spec, c).isEmpty()).toList();
            if (!withoutBn.isEmpty()) {
                notes.add(unitLabel(convs) + ": bn-scale needs a BatchNorm right after every conv; " + withoutBn
                        + " has none, so this unit is scored by l1-norm");
                effective = ChannelCriterion.L1_NORM;
            }
        }
        double[] total = null;
        for (String conv : convs) {
            double[] s = switch (effective) {
                case L1_NORM -> filterNorms(weights.get(conv, Weights.WEIGHT), false);
                case L2_NORM -> filterNorms(weights.get(conv, Weights.WEIGHT), true);
                case BN_SCALE -> absGamma(weights.get(batchNormAfter(spec, conv).orElseThrow().name(), Weights.GAMMA));
                case RECONSTRUCTION -> throw new IllegalStateException("unreachable");
            };
            if (total == null) {
                total = s;
            } else {
                if (s.length != total.length) {
                    throw new IllegalArgumentException("convs: " + convs + " have different output channels");
                }
                for (int i = 0; i < s.length; i++) {
                    total[i] += s[i];
                }
            }
        }
        if (total == null) {
            throw new IllegalArgumentException("convs: at least one conv is needed");
        }
        return total;
    }

    /**
     * The {@code keep} channels with the highest scores (ties: the lower index wins), returned in ascending
     * channel order.
     */
    public static int[] top(double[] scores, int keep) {
        if (keep < 1 || keep > scores.length) {
            throw new IllegalArgumentException("keep must be in [1, " + scores.length + "], got " + keep);
        }
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -scores[c]).thenComparingInt(c -> c))
                .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * The BatchNorm that directly follows the conv (or hidden Linear): the next top-level layer, or a shortcut conv's
     * own BN.
     */
    static Optional<Layer.BatchNorm> batchNormAfter(NetSpec spec, String convName) {
        List<Layer> layers = spec.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if ((layer instanceof Layer.Conv2d || layer instanceof Layer.Linear) && layer.name().equals(convName)) {
                return i + 1 < layers.size() && layers.get(i + 1) instanceof Layer.BatchNorm bn
                        ? Optional.of(bn) : Optional.empty();
            }
            if (layer instanceof Layer.Add a && a.shortcut() != null && a.shortcut().conv().name().equals(convName)) {
                return Optional.ofNullable(a.shortcut().bn());
            }
        }
        throw new IllegalArgumentException("convs: no conv '" + convName + "' in " + spec.name());
    }

    /** Per output channel (axis 0) the L1 norm, or the L2 norm, of its filter (a Linear's row). */
    static double[] filterNorms(Tensor weight, boolean l2) {
        int channels = weight.dim(0);
        int per = weight.stride0();
        float[] w = weight.data();
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int i = c * per; i < (c + 1) * per; i++) {
                sum += l2 ? (double) w[i] * w[i] : Math.abs(w[i]);
            }
            out[c] = l2 ? Math.sqrt(sum) : sum;
        }
        return out;
    }

    private static double[] absGamma(Tensor gamma) {
        double[] out = new double[gamma.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.abs(gamma.data()[i]);
        }
        return out;
    }

    static String unitLabel(List<String> convs) {
        return convs.size() == 1 ? convs.get(0) : new ArrayList<>(convs).toString();
    }
}
