package dev.pocketmesh.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.model.Layer.BatchNorm;
import dev.pocketmesh.model.Layer.Conv2d;
import dev.pocketmesh.model.Layer.Linear;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelPruningTest {

    @Test
    void pruningLenetConv1ChangesConv2InputAndCutsMacs() {
        NetSpec lenet = ModelZoo.lenet5();
        NetSpec pruned = ChannelPruning.pruneConv(lenet, "conv1", 3);
        assertThat(((Conv2d) pruned.layer("conv1").orElseThrow()).outChannels()).isEqualTo(3);
        assertThat(((Conv2d) pruned.layer("conv2").orElseThrow()).inChannels()).isEqualTo(3);
        // conv1: 28*28*3*25 = 58,800 (was 117,600); conv2: 10*10*16*(3*25) = 120,000 (was 240,000)
        assertThat(CostModel.macs(lenet) - CostModel.macs(pruned)).isEqualTo(58_800 + 120_000);
        // conv1: 3*25 + 3 = 78 (was 156); conv2: 16*3*25 + 16 = 1,216 (was 2,416)
        assertThat(CostModel.params(lenet) - CostModel.params(pruned)).isEqualTo(78 + 1_200);
        assertThat(lenet.layer("conv2").map(l -> ((Conv2d) l).inChannels())).contains(6); // input untouched
    }

    @Test
    void pruningLenetConv2ChangesFc1InFeatures() {
        NetSpec pruned = ChannelPruning.pruneConv(ModelZoo.lenet5(), "conv2", 8);
        assertThat(((Linear) pruned.layer("fc1").orElseThrow()).inFeatures()).isEqualTo(8 * 5 * 5);
        // conv2 240,000 -> 120,000; fc1 48,000 -> 200*120 = 24,000
        assertThat(CostModel.macs(pruned)).isEqualTo(416_520 - 120_000 - 24_000);
    }

    @Test
    void refusesBadRequests() {
        NetSpec lenet = ModelZoo.lenet5();
        assertThatThrownBy(() -> ChannelPruning.pruneConv(lenet, "conv9", 3))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("conv9");
        assertThatThrownBy(() -> ChannelPruning.pruneConv(lenet, "fc1", 3))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("fc1");
        assertThatThrownBy(() -> ChannelPruning.pruneConv(lenet, "conv1", 0))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("[1, 6]");
        assertThatThrownBy(() -> ChannelPruning.pruneConv(lenet, "conv1", 7))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("[1, 6]");
        assertThat(ChannelPruning.couplingGroups(lenet)).isEmpty();
    }

    @Test
    void resnet20HasOneCouplingGroupPerStage() {
        NetSpec resnet = ModelZoo.resnetCifar(20, 3, 32, 32, 10);
        List<List<String>> groups = ChannelPruning.couplingGroups(resnet);
        assertThat(groups).containsExactly(
                List.of("conv1", "s1.b1.conv2", "s1.b2.conv2", "s1.b3.conv2"),
                List.of("s2.b1.conv2", "s2.b1.shortcut.conv", "s2.b2.conv2", "s2.b3.conv2"),
                List.of("s3.b1.conv2", "s3.b1.shortcut.conv", "s3.b2.conv2", "s3.b3.conv2"));
        assertThat(resnet.residualGroups()).hasSize(3);
    }

    @Test
    void pruningFirstConvOfABlockKeepsResidualShapes() {
        NetSpec resnet = ModelZoo.resnetCifar(20, 3, 32, 32, 10);
        NetSpec pruned = ChannelPruning.pruneConv(resnet, "s2.b2.conv1", 12);
        ShapeInference.infer(pruned); // passes: residual shapes intact
        assertThat(((BatchNorm) pruned.layer("s2.b2.bn1").orElseThrow()).channels()).isEqualTo(12);
        assertThat(((Conv2d) pruned.layer("s2.b2.conv2").orElseThrow()).inChannels()).isEqualTo(12);
        assertThat(((Conv2d) pruned.layer("s2.b2.conv2").orElseThrow()).outChannels()).isEqualTo(32);
        // conv1 and conv2 of the block each lose 20/32 of 2,359,296 MACs
        long saved = 2 * (2_359_296L / 32 * 20);
        assertThat(CostModel.macs(resnet) - CostModel.macs(pruned)).isEqualTo(saved);

        NetSpec first = ChannelPruning.pruneConv(resnet, "s1.b1.conv1", 8);
        assertThat(CostModel.macs(resnet) - CostModel.macs(first)).isEqualTo(2_359_296L);
        // the down-sampling block's first conv is free too
        NetSpec down = ChannelPruning.pruneConv(resnet, "s3.b1.conv1", 32);
        assertThat(CostModel.macs(down)).isLessThan(CostModel.macs(resnet));
    }

    @Test
    void pruningACoupledConvAloneIsRefused() {
        NetSpec resnet = ModelZoo.resnetCifar(20, 3, 32, 32, 10);
        assertThatThrownBy(() -> ChannelPruning.pruneConv(resnet, "s1.b2.conv2", 8))
                .isInstanceOf(NetSpecException.class)
                .hasMessageContaining("s1.b2.conv2").hasMessageContaining("pruneGroup").hasMessageContaining("conv1");
        assertThatThrownBy(() -> ChannelPruning.pruneConv(resnet, "s2.b1.shortcut.conv", 8))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("pruneGroup");
        assertThatThrownBy(() -> ChannelPruning.pruneGroup(resnet, List.of("s1.b1.conv2", "s1.b2.conv2"), 8))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("not a coupling group");
    }

    @Test
    void pruningAWholeStageGroupKeepsShapesValid() {
        NetSpec resnet = ModelZoo.resnetCifar(20, 3, 32, 32, 10);
        List<String> stage2 = ChannelPruning.couplingGroups(resnet).get(1);
        NetSpec pruned = ChannelPruning.pruneGroup(resnet, stage2, 24);
        ShapeInference.infer(pruned);
        assertThat(pruned.conv("s2.b1.shortcut.conv").orElseThrow().outChannels()).isEqualTo(24);
        assertThat(pruned.conv("s2.b2.conv1").orElseThrow().inChannels()).isEqualTo(24);
        assertThat(pruned.conv("s3.b1.conv1").orElseThrow().inChannels()).isEqualTo(24);
        assertThat(pruned.conv("s3.b1.shortcut.conv").orElseThrow().inChannels()).isEqualTo(24);
        assertThat(CostModel.macs(pruned)).isLessThan(CostModel.macs(resnet));

        List<String> stage3 = ChannelPruning.couplingGroups(resnet).get(2);
        NetSpec last = ChannelPruning.pruneGroup(resnet, stage3, 48);
        assertThat(((Linear) last.layer("fc").orElseThrow()).inFeatures()).isEqualTo(48);
        assertThat(ChannelPruning.couplingGroups(last)).isEqualTo(ChannelPruning.couplingGroups(resnet));
    }

    @Test
    void pruningMobilenetPointwiseShrinksTheFollowingDepthwiseConv() {
        NetSpec mobilenet = ModelZoo.mobilenetV1(1.0, 3, 32, 32, 10);
        assertThat(ChannelPruning.couplingGroups(mobilenet)).isEmpty();
        NetSpec pruned = ChannelPruning.pruneConv(mobilenet, "b1.pw", 32);
        Conv2d dw = pruned.conv("b2.dw").orElseThrow();
        assertThat(dw.inChannels()).isEqualTo(32);
        assertThat(dw.outChannels()).isEqualTo(32);
        assertThat(dw.groups()).isEqualTo(32);
        assertThat(((BatchNorm) pruned.layer("b2.dw.bn").orElseThrow()).channels()).isEqualTo(32);
        assertThat(pruned.conv("b2.pw").orElseThrow().inChannels()).isEqualTo(32);
        assertThatThrownBy(() -> ChannelPruning.pruneConv(mobilenet, "b2.dw", 32))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("depthwise");
    }

    @Test
    void identityResidualFromInputIsCoupledWithTheInput() {
        Shape in = Shape.chw(4, 8, 8);
        NetSpec spec = new NetSpec("tiny", in, 4, List.of(
                Conv2d.of("c", 4, 4, 3, 1, 1, false), Layer.Add.identity("add", NetSpec.INPUT),
                new Layer.GlobalAvgPool("gap"), new Layer.Flatten("f")),
                List.of(new NetSpec.ResidualGroup("g", List.of(NetSpec.INPUT, "c"))));
        assertThat(ChannelPruning.couplingGroups(spec)).containsExactly(List.of(NetSpec.INPUT, "c"));
        assertThatThrownBy(() -> ChannelPruning.pruneGroup(spec, List.of(NetSpec.INPUT, "c"), 2))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("input");
    }
}
