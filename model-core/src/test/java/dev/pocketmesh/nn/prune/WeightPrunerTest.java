package dev.pocketmesh.nn.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightPrunerTest {
    private static final NetSpec LENET = ModelZoo.byName("lenet5", 1, 28, 28, 10);
    private static final NetSpec RESNET = ModelZoo.byName("resnet20", 1, 28, 28, 10);

    @Test
    void refusesUnknownUnitsAndKeepOutOfRange() {
        Weights w = RandomWeights.of(LENET, 1);
        assertThatThrownBy(() -> prune(LENET, w, Map.of("conv7", 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keepByUnit.conv7").hasMessageContaining("no pruning unit")
                .hasMessageContaining("[conv1, conv2, fc1, fc2]");
        assertThatThrownBy(() -> prune(LENET, w, Map.of("conv2", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keepByUnit.conv2").hasMessageContaining("[1, 16], got 0");
        assertThatThrownBy(() -> prune(LENET, w, Map.of("conv1", 7)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keepByUnit.conv1").hasMessageContaining("[1, 6], got 7");
        Map<String, Integer> nullKeep = new HashMap<>();
        nullKeep.put("conv1", null);
        assertThatThrownBy(() -> prune(LENET, w, nullKeep)).hasMessageContaining("keepByUnit.conv1");
        // A member of a residual stream is not a unit of its own: the stream is.
        assertThatThrownBy(() -> prune(RESNET, RandomWeights.of(RESNET, 1), Map.of("s1.b1.conv2", 8)))
                .hasMessageContaining("keepByUnit.s1.b1.conv2").hasMessageContaining("stage1");
    }

    @Test
    void refusesWeightsOfAnotherNetworkAndReconstructionWithoutActivations() {
        Weights w = RandomWeights.of(LENET, 2);
        Weights wrong = w.with(Map.of("fc1.weight", Tensor.zeros(120, 399)));
        assertThatThrownBy(() -> prune(LENET, wrong, Map.of("conv1", 3))).hasMessageContaining("'fc1.weight'");
        assertThatThrownBy(() -> WeightPruner.prune(LENET, w, Map.of("conv1", 3), ChannelCriterion.RECONSTRUCTION,
                null, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("activations");
        ActivationSource wrongShape = (layer, spec, weights) -> Tensor.zeros(4, 5, 14, 14);
        assertThatThrownBy(() -> WeightPruner.prune(LENET, w, Map.of("conv1", 3), ChannelCriterion.RECONSTRUCTION,
                wrongShape, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'conv2'").hasMessageContaining("[N, 6, 14, 14]").hasMessageContaining("[4, 5, 14, 14]");
    }

    @Test
    void prunesEveryUnitOfAResnetInOneCallAndLeavesFullUnitsAlone() {
        Weights w = RandomWeights.of(RESNET, 3);
        Map<String, Integer> keep = new LinkedHashMap<>();
        for (PruningUnits.Unit unit : PruningUnits.of(RESNET)) {
            keep.put(unit.name(), unit.name().equals("s2.b2.conv1") ? unit.channels() : unit.keep(0.5));
        }
        PrunedModel m = WeightPruner.prune(RESNET, w, keep, ChannelCriterion.L2_NORM, null, 0);
        WeightShapes.check(m.spec(), m.weights());
        assertThat(m.spec()).isEqualTo(PruningUnits.apply(RESNET, keep));
        assertThat(m.keptByUnit()).hasSize(keep.size() - 1).doesNotContainKey("s2.b2.conv1");
        assertThat(m.weights().get("s2.b2.conv1", "weight").dim(0)).isEqualTo(32);
        assertThat(m.weights().values()).isLessThan(w.values() / 3);
        Tensor out = ReferenceNet.forward(m.spec(), m.weights(), ReferenceNet.images(1, 1, 28, 28, 1));
        assertThat(out.shape()).containsExactly(1, 10);
    }

    private static PrunedModel prune(NetSpec spec, Weights w, Map<String, Integer> keep) {
        return WeightPruner.prune(spec, w, keep, ChannelCriterion.L1_NORM, null, 0);
    }
}
