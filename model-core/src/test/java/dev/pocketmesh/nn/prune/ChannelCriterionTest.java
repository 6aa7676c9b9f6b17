package dev.pocketmesh.nn.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ChannelCriterionTest {
    /** conv1 (1 -> 3, 2x2) + bn1 + relu + global pool + fc: three hand-made filters. */
    private static final NetSpec TINY = new NetSpec("tiny", Shape.chw(1, 4, 4), 2, List.of(
            Layer.Conv2d.of("conv1", 1, 3, 2, 1, 0, false),
            new Layer.BatchNorm("bn1", 3),
            new Layer.Relu("relu"),
            new Layer.GlobalAvgPool("gap"),
            new Layer.Flatten("flatten"),
            new Layer.Linear("fc", 3, 2, true)), List.of());

    /**
     * Channel 0 = [1, 1, 1, 1] (L1 4, L2 2), channel 1 = [3, 0, 0, 0] (L1 3, L2 3), channel 2 = [0.5, -0.5, 0, 0]
     * (L1 1, L2 0.71); BN gammas 0.1, -0.2, 3.
     */
    private static Weights handMade() {
        return RandomWeights.of(TINY, 1).with(Map.of(
                "conv1.weight", new Tensor(new int[] {3, 1, 2, 2}, new float[] {1, 1, 1, 1, 3, 0, 0, 0, 0.5f, -0.5f, 0, 0}),
                "bn1.gamma", new Tensor(new int[] {3}, new float[] {0.1f, -0.2f, 3f})));
    }

    @Test
    void namesRoundTripAndUnknownNamesListTheKnownOnes() {
        for (ChannelCriterion c : ChannelCriterion.values()) {
            assertThat(ChannelCriterion.fromName(" " + c.id().toUpperCase() + " ")).isEqualTo(c);
        }
        assertThat(ChannelCriterion.names()).containsExactly("l1-norm", "l2-norm", "bn-scale", "reconstruction");
        assertThatThrownBy(() -> ChannelCriterion.fromName("taylor")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'taylor'").hasMessageContaining("l1-norm, l2-norm, bn-scale, reconstruction");
        assertThatThrownBy(() -> ChannelCriterion.fromName(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void l1AndL2DisagreeOnACraftedFilterPair() {
        Weights w = handMade();
        List<String> notes = new ArrayList<>();
        double[] l1 = ChannelScores.of(ChannelCriterion.L1_NORM, TINY, w, List.of("conv1"), notes);
        double[] l2 = ChannelScores.of(ChannelCriterion.L2_NORM, TINY, w, List.of("conv1"), notes);
        assertThat(l1).containsExactly(new double[] {4, 3, 1}, Offset.offset(1e-6));
        assertThat(l2).containsExactly(new double[] {2, 3, Math.sqrt(0.5)}, Offset.offset(1e-6));
        assertThat(prune(w, ChannelCriterion.L1_NORM, 1)).containsExactly(0);
        assertThat(prune(w, ChannelCriterion.L2_NORM, 1)).containsExactly(1);
        assertThat(prune(w, ChannelCriterion.L1_NORM, 2)).containsExactly(0, 1);
        assertThat(notes).isEmpty();
    }

    @Test
    void bnScaleUsesTheAbsoluteGammaOfTheFollowingBatchNorm() {
        Weights w = handMade();
        assertThat(prune(w, ChannelCriterion.BN_SCALE, 1)).containsExactly(2);
        // |-0.2| beats 0.1 although channel 0 has the largest filter.
        assertThat(prune(w, ChannelCriterion.BN_SCALE, 2)).containsExactly(1, 2);
    }

    @Test
    void bnScaleFallsBackToL1WithANoteWhenNoBatchNormFollows() {
        NetSpec lenet = ModelZoo.byName("lenet5", 1, 28, 28, 10);
        Weights w = RandomWeights.of(lenet, 3);
        PrunedModel bn = WeightPruner.prune(lenet, w, Map.of("conv2", 7), ChannelCriterion.BN_SCALE, null, 1);
        PrunedModel l1 = WeightPruner.prune(lenet, w, Map.of("conv2", 7), ChannelCriterion.L1_NORM, null, 1);
        assertThat(bn.keptByUnit().get("conv2")).containsExactly(l1.keptByUnit().get("conv2"));
        assertThat(bn.notes()).singleElement().asString().contains("conv2").contains("l1-norm");
        assertThat(l1.notes()).isEmpty();
    }

    @Test
    void coupledUnitsSumTheirMembersScores() {
        NetSpec resnet = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        Weights w = RandomWeights.of(resnet, 4);
        List<String> stage2 = resnet.residualGroups().get(1).convs();
        double[] summed = ChannelScores.of(ChannelCriterion.L2_NORM, resnet, w, stage2, new ArrayList<>());
        double[] manual = new double[32];
        for (String conv : stage2) {
            double[] s = ChannelScores.filterNorms(w.get(conv, "weight"), true);
            for (int c = 0; c < 32; c++) {
                manual[c] += s[c];
            }
        }
        assertThat(summed).containsExactly(manual, Offset.offset(1e-9));
        // bn-scale: every stage-2 writer has its own BN, so gammas are summed too.
        double[] gammas = ChannelScores.of(ChannelCriterion.BN_SCALE, resnet, w, stage2, new ArrayList<>());
        double expected0 = 0;
        for (String bn : List.of("s2.b1.shortcut.bn", "s2.b1.bn2", "s2.b2.bn2", "s2.b3.bn2")) {
            expected0 += Math.abs(w.get(bn, "gamma").data()[0]);
        }
        assertThat(gammas[0]).isCloseTo(expected0, Offset.offset(1e-6));
    }

    @Test
    void topKeepsHighestScoresInAscendingOrderLowerIndexWinningTies() {
        assertThat(ChannelScores.top(new double[] {5, 1, 5, 9, 0}, 3)).containsExactly(0, 2, 3);
        assertThat(ChannelScores.top(new double[] {1, 1, 1}, 2)).containsExactly(0, 1);
        assertThatThrownBy(() -> ChannelScores.top(new double[] {1}, 2)).hasMessageContaining("[1, 1]");
    }

    private static int[] prune(Weights w, ChannelCriterion criterion, int keep) {
        PrunedModel m = WeightPruner.prune(TINY, w, Map.of("conv1", keep), criterion, null, 0);
        WeightShapes.check(m.spec(), m.weights());
        return m.keptByUnit().get("conv1");
    }
}
