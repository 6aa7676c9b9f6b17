package dev.pocketmesh.nn.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChannelSlicerTest {
    private static final NetSpec LENET = ModelZoo.byName("lenet5", 1, 28, 28, 10);
    private static final NetSpec RESNET = ModelZoo.byName("resnet20", 1, 28, 28, 10);
    private static final NetSpec MOBILENET = ModelZoo.byName("mobilenet-v1", 3, 16, 16, 10);
    private static final String[] BN_PARAMS = {"gamma", "beta", "runningMean", "runningVar"};

    @Test
    void lenetConv1KeepsTheMatchingInputSlicesOfConv2() {
        Weights w = RandomWeights.of(LENET, 1);
        int[] kept = {0, 2, 5};
        ChannelSlicer.Result r = ChannelSlicer.slice(LENET, w, List.of("conv1"), kept);

        assertThat(r.sliced()).containsExactly("conv1.weight[0]", "conv1.bias[0]", "conv2.weight[1]");
        Tensor before = w.get("conv2", "weight");
        Tensor after = r.weights().get("conv2", "weight");
        assertThat(after.shape()).containsExactly(16, 3, 5, 5);
        for (int o = 0; o < 16; o++) {
            for (int j = 0; j < kept.length; j++) {
                for (int s = 0; s < 25; s++) {
                    assertThat(after.data()[(o * 3 + j) * 25 + s]).isEqualTo(before.data()[(o * 6 + kept[j]) * 25 + s]);
                }
            }
        }
        for (int j = 0; j < kept.length; j++) {
            assertThat(r.weights().get("conv1", "bias").data()[j]).isEqualTo(w.get("conv1", "bias").data()[kept[j]]);
        }
        assertThat(r.spec().conv("conv2").orElseThrow().inChannels()).isEqualTo(3);
        assertThat(r.weights().get("fc1", "weight")).isEqualTo(w.get("fc1", "weight"));
        WeightShapes.check(r.spec(), r.weights());
        assertSameFunction(LENET, w, List.of("conv1"), kept, 1, 28, 28);
    }

    @Test
    void lenetConv2KeepsTheKeptChannelsFeatureBlocksOfFc1() {
        Weights w = RandomWeights.of(LENET, 2);
        int[] kept = {1, 4, 7, 8, 15};
        ChannelSlicer.Result r = ChannelSlicer.slice(LENET, w, List.of("conv2"), kept);

        assertThat(r.sliced()).containsExactly("conv2.weight[0]", "conv2.bias[0]", "fc1.weight[1]");
        Tensor before = w.get("fc1", "weight"); // [120, 16 * 5 * 5]
        Tensor after = r.weights().get("fc1", "weight");
        assertThat(after.shape()).containsExactly(120, kept.length * 25);
        for (int o = 0; o < 120; o++) {
            for (int j = 0; j < kept.length; j++) {
                for (int s = 0; s < 25; s++) {
                    assertThat(after.data()[o * kept.length * 25 + j * 25 + s])
                            .isEqualTo(before.data()[o * 400 + kept[j] * 25 + s]);
                }
            }
        }
        assertThat(((Layer.Linear) r.spec().layer("fc1").orElseThrow()).inFeatures()).isEqualTo(125);
        assertSameFunction(LENET, w, List.of("conv2"), kept, 1, 28, 28);
    }

    @Test
    void lenetFc1KeepsItsKeptNeuronsRowsAndTheMatchingColumnsOfFc2() {
        Weights w = RandomWeights.of(LENET, 5);
        int[] kept = subset(120, 48, 7);
        ChannelSlicer.Result r = ChannelSlicer.slice(LENET, w, List.of("fc1"), kept);

        assertThat(r.sliced()).containsExactly("fc1.weight[0]", "fc1.bias[0]", "fc2.weight[1]");
        assertThat(r.weights().get("fc1", "weight").shape()).containsExactly(48, 400);
        Tensor before = w.get("fc2", "weight"); // [84, 120]
        Tensor after = r.weights().get("fc2", "weight");
        assertThat(after.shape()).containsExactly(84, 48);
        for (int o = 0; o < 84; o++) {
            for (int j = 0; j < kept.length; j++) {
                assertThat(after.data()[o * 48 + j]).isEqualTo(before.data()[o * 120 + kept[j]]);
            }
        }
        assertThat(((Layer.Linear) r.spec().layer("fc1").orElseThrow()).outFeatures()).isEqualTo(48);
        assertThat(((Layer.Linear) r.spec().layer("fc2").orElseThrow()).inFeatures()).isEqualTo(48);
        assertSameFunction(LENET, w, List.of("fc1"), kept, 1, 28, 28);
    }

    @Test
    void theClassifierLayerIsNoUnit() {
        assertThatThrownBy(() -> ChannelSlicer.slice(LENET, RandomWeights.of(LENET, 6), List.of("fc3"), new int[] {0, 1}))
                .hasMessageContaining("fc3").hasMessageContaining("classes");
    }

    @Test
    void resnetBlockConv1SlicesItsBnAndTheBlocksConv2Input() {
        Weights w = RandomWeights.of(RESNET, 3);
        int[] kept = subset(16, 9, 3);
        ChannelSlicer.Result r = ChannelSlicer.slice(RESNET, w, List.of("s1.b2.conv1"), kept);

        List<String> expected = new ArrayList<>(List.of("s1.b2.conv1.weight[0]"));
        for (String p : BN_PARAMS) {
            expected.add("s1.b2.bn1." + p + "[0]");
        }
        expected.add("s1.b2.conv2.weight[1]");
        assertThat(r.sliced()).containsExactlyElementsOf(expected);
        assertThat(r.weights().get("s1.b2.conv2", "weight").shape()).containsExactly(16, 9, 3, 3);
        assertSameFunction(RESNET, w, List.of("s1.b2.conv1"), kept, 1, 28, 28);
    }

    @Test
    void resnetStageGroupSlicesProducersBnsAndEveryReader() {
        Weights w = RandomWeights.of(RESNET, 4);
        List<String> stage2 = RESNET.residualGroups().get(1).convs();
        int[] kept = subset(32, 20, 4);
        ChannelSlicer.Result r = ChannelSlicer.slice(RESNET, w, stage2, kept);

        // Writers of the stream: the projection conv and every block's conv2, each with its BN.
        assertThat(r.sliced()).contains("s2.b1.shortcut.conv.weight[0]", "s2.b1.shortcut.bn.gamma[0]",
                "s2.b1.conv2.weight[0]", "s2.b2.conv2.weight[0]", "s2.b3.conv2.weight[0]",
                "s2.b3.bn2.runningVar[0]");
        // Readers: the later blocks of the stage, and stage 3's first block and its projection.
        assertThat(r.sliced()).contains("s2.b2.conv1.weight[1]", "s2.b3.conv1.weight[1]", "s3.b1.conv1.weight[1]",
                "s3.b1.shortcut.conv.weight[1]");
        assertThat(r.sliced()).doesNotContain("s2.b1.conv1.weight[1]", "s2.b1.conv1.weight[0]",
                "s2.b1.shortcut.conv.weight[1]");
        // 4 writers x (weight + 4 BN tensors) + 4 readers, nothing else.
        assertThat(r.sliced()).hasSize(4 * 5 + 4);
        assertSameFunction(RESNET, w, stage2, kept, 1, 28, 28);
    }

    @Test
    void resnetStemStageIncludesTheStemConv() {
        Weights w = RandomWeights.of(RESNET, 5);
        List<String> stage1 = RESNET.residualGroups().get(0).convs();
        assertThat(stage1).contains("conv1");
        int[] kept = subset(16, 6, 5);
        ChannelSlicer.Result r = ChannelSlicer.slice(RESNET, w, stage1, kept);
        assertThat(r.sliced()).contains("conv1.weight[0]", "bn1.gamma[0]", "s1.b1.conv1.weight[1]",
                "s2.b1.shortcut.conv.weight[1]");
        assertSameFunction(RESNET, w, stage1, kept, 1, 28, 28);
    }

    @Test
    void mobilenetPointwiseCarriesThroughTheNextDepthwise() {
        Weights w = RandomWeights.of(MOBILENET, 6);
        int[] kept = subset(128, 50, 6);
        ChannelSlicer.Result r = ChannelSlicer.slice(MOBILENET, w, List.of("b3.pw"), kept);

        List<String> expected = new ArrayList<>(List.of("b3.pw.weight[0]"));
        for (String p : BN_PARAMS) {
            expected.add("b3.pw.bn." + p + "[0]");
        }
        expected.add("b4.dw.weight[0]");
        for (String p : BN_PARAMS) {
            expected.add("b4.dw.bn." + p + "[0]");
        }
        expected.add("b4.pw.weight[1]");
        assertThat(r.sliced()).containsExactlyElementsOf(expected);
        assertThat(r.weights().get("b4.dw", "weight").shape()).containsExactly(50, 1, 3, 3);
        assertThat(r.weights().get("b4.dw", "weight").data()[9 * 1 + 4])
                .isEqualTo(w.get("b4.dw", "weight").data()[9 * kept[1] + 4]);
        assertSameFunction(MOBILENET, w, List.of("b3.pw"), kept, 3, 16, 16);
    }

    @Test
    void mobilenetLastPointwiseShrinksTheClassifier() {
        Weights w = RandomWeights.of(MOBILENET, 7);
        int[] kept = subset(1024, 300, 7);
        ChannelSlicer.Result r = ChannelSlicer.slice(MOBILENET, w, List.of("b13.pw"), kept);
        assertThat(r.sliced()).endsWith("fc.weight[1]");
        assertThat(r.weights().get("fc", "weight").shape()).containsExactly(10, 300);
        assertSameFunction(MOBILENET, w, List.of("b13.pw"), kept, 3, 16, 16);
    }

    @Test
    void refusesBadIndicesAndUnits() {
        Weights w = RandomWeights.of(LENET, 8);
        assertThatThrownBy(() -> ChannelSlicer.slice(LENET, w, List.of("conv1"), new int[] {2, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> ChannelSlicer.slice(LENET, w, List.of("conv1"), new int[] {0, 6}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel 6 is out of range [0, 6)");
        assertThatThrownBy(() -> ChannelSlicer.slice(LENET, w, List.of("conv1"), new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one channel");
        assertThatThrownBy(() -> ChannelSlicer.slice(LENET, w, List.of("conv9"), new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conv9");
        Weights rw = RandomWeights.of(RESNET, 8);
        assertThatThrownBy(() -> ChannelSlicer.slice(RESNET, rw, List.of("s1.b1.conv2"), new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s1.b1.conv2")
                .hasMessageContaining("coupled");
    }

    @Test
    void weightShapesNamesTheFirstMismatch() {
        Weights w = RandomWeights.of(LENET, 9);
        WeightShapes.check(LENET, w);
        Weights wrong = w.with(Map.of("conv2.weight", Tensor.zeros(16, 5, 5, 5)));
        assertThatThrownBy(() -> WeightShapes.check(LENET, wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'conv2.weight' has shape [16, 5, 5, 5]").hasMessageContaining("[16, 6, 5, 5]");
        Map<String, Tensor> missing = new LinkedHashMap<>(w.asMap());
        missing.remove("fc2.bias");
        assertThatThrownBy(() -> WeightShapes.check(LENET, new Weights(missing)))
                .hasMessageContaining("'fc2.bias' is missing");
        Weights extra = w.with(Map.of("ghost.weight", Tensor.zeros(1)));
        assertThatThrownBy(() -> WeightShapes.check(LENET, extra)).hasMessageContaining("'ghost.weight' is not a parameter");
    }

    @Test
    void randomWeightsFitEveryZooNetworkAndDependOnTheSeed() {
        for (String name : ModelZoo.NAMES) {
            NetSpec spec = ModelZoo.byName(name, 3, 32, 32, 10);
            WeightShapes.check(spec, RandomWeights.of(spec, 1));
        }
        assertThat(RandomWeights.of(LENET, 1).get("conv1", "weight"))
                .isEqualTo(RandomWeights.of(LENET, 1).get("conv1", "weight"))
                .isNotEqualTo(RandomWeights.of(LENET, 2).get("conv1", "weight"));
    }

    /**
     * The pruned network must compute exactly what the original computes once the dropped channels are silenced:
     * with every BN centred (beta = running mean = 0, so zero stays zero) and the dropped filters of the unit's
     * convs zeroed, those channels are zero everywhere downstream in the original network.
     */
    private static void assertSameFunction(NetSpec spec, Weights random, List<String> convs, int[] kept, int c,
            int h, int w) {
        Weights centred = centreBatchNorms(spec, random);
        ChannelSlicer.Result pruned = ChannelSlicer.slice(spec, centred, convs, kept);
        WeightShapes.check(pruned.spec(), pruned.weights());
        Weights silenced = silence(centred, convs, kept);
        Tensor images = ReferenceNet.images(2, c, h, w, 42);
        Tensor expected = ReferenceNet.forward(spec, silenced, images);
        Tensor actual = ReferenceNet.forward(pruned.spec(), pruned.weights(), images);
        assertThat(ReferenceNet.relativeMaxDifference(actual, expected)).isLessThan(1e-4);
        // The silencing matters: the unpruned original gives a different answer.
        Tensor unsilenced = ReferenceNet.forward(spec, centred, images);
        assertThat(ReferenceNet.relativeMaxDifference(unsilenced, expected)).isGreaterThan(1e-3);
    }

    private static Weights centreBatchNorms(NetSpec spec, Weights w) {
        Map<String, Tensor> zeroed = new LinkedHashMap<>();
        for (String key : w.asMap().keySet()) {
            if (key.endsWith(".beta") || key.endsWith(".runningMean")) {
                zeroed.put(key, Tensor.zeros(w.asMap().get(key).shape()));
            }
        }
        return w.with(zeroed);
    }

    private static Weights silence(Weights w, List<String> convs, int[] kept) {
        Map<String, Tensor> replaced = new LinkedHashMap<>();
        for (String conv : convs) {
            for (String param : List.of("weight", "bias")) {
                w.find(conv, param).ifPresent(t -> {
                    float[] data = t.data().clone();
                    int per = t.stride0();
                    for (int ch = 0; ch < t.dim(0); ch++) {
                        int channel = ch;
                        if (IntStream.of(kept).noneMatch(k -> k == channel)) {
                            Arrays.fill(data, ch * per, (ch + 1) * per, 0f);
                        }
                    }
                    replaced.put(Weights.key(conv, param), new Tensor(t.shape(), data));
                });
            }
        }
        return w.with(replaced);
    }

    /** {@code keep} distinct channels of {@code channels}, seeded, ascending. */
    static int[] subset(int channels, int keep, long seed) {
        List<Integer> all = new ArrayList<>(IntStream.range(0, channels).boxed().toList());
        Collections.shuffle(all, new Random(seed));
        return all.subList(0, keep).stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
