package dev.pocketmesh.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pocketmesh.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelZooTest {

    /*
     * LeNet-5 at 1x28x28, 10 classes (conv1 pad 2, ReLU, max pool, all layers with bias):
     *   conv1 1->6 5x5 pad 2: out 6x28x28; params 6*1*25 + 6 = 156;      MACs 28*28*6*(1*25)  = 117,600
     *   pool1 -> 6x14x14
     *   conv2 6->16 5x5:      out 16x10x10; params 16*6*25 + 16 = 2,416; MACs 10*10*16*(6*25) = 240,000
     *   pool2 -> 16x5x5, flatten -> 400
     *   fc1 400->120:         params 400*120 + 120 = 48,120;             MACs 48,000
     *   fc2 120->84:          params 120*84 + 84 = 10,164;               MACs 10,080
     *   fc3 84->10:           params 84*10 + 10 = 850;                   MACs 840
     *   total params 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706
     *   total MACs 117,600 + 240,000 + 48,000 + 10,080 + 840 = 416,520  (FLOPs 833,040)
     */
    @Test
    void lenet5MatchesHandCount() {
        CostModel.Cost cost = CostModel.of(ModelZoo.lenet5());
        assertThat(cost.params()).isEqualTo(61_706);
        assertThat(cost.macs()).isEqualTo(416_520);
        assertThat(cost.flops()).isEqualTo(833_040);
        assertThat(cost.buffers()).isZero();
        assertThat(cost.layer("conv1").macs()).isEqualTo(117_600);
        assertThat(cost.layer("conv2").params()).isEqualTo(2_416);
        assertThat(cost.layer("pool2").out()).isEqualTo(Shape.chw(16, 5, 5));
        assertThat(cost.layer("flatten").out()).isEqualTo(Shape.features(400));
        assertThat(cost.layer("conv1").activations()).isEqualTo(6 * 28 * 28);
    }

    /*
     * ResNet-20 at 3x32x32, 10 classes, projection shortcuts at the two down-sampling blocks.
     * Params (conv weights, BN 2/channel, fc weights + bias):
     *   stem conv 3*16*9 = 432, bn 32                                        ->     464
     *   stage 1, each block: 2 convs 16*16*9 = 2,304 each + 2 bn 32          ->   4,672 (x3 = 14,016)
     *   stage 2 block 1: 16*32*9 = 4,608 + 32*32*9 = 9,216 + bn 128
     *                    + shortcut 1x1 16*32 = 512 + bn 64                  ->  14,528
     *   stage 2 other blocks: 2*9,216 + 128                                   ->  18,560 (x2 = 37,120)
     *   stage 3 block 1: 32*64*9 = 18,432 + 64*64*9 = 36,864 + bn 256
     *                    + shortcut 32*64 = 2,048 + bn 128                   ->  57,728
     *   stage 3 other blocks: 2*36,864 + 256                                  ->  73,984 (x2 = 147,968)
     *   fc 64*10 + 10                                                         ->     650
     *   total 272,474. The paper's option A (zero-padding identity) has no shortcut params:
     *   272,474 - (512 + 64 + 2,048 + 128) = 269,722 = the published "0.27M".
     * MACs:
     *   stem 32*32*16*27 = 442,368
     *   stage 1: 6 convs * 32*32*16*144 = 6 * 2,359,296 = 14,155,776
     *   stage 2: first conv 16*16*32*144 = 1,179,648; 5 convs * 16*16*32*288 = 5 * 2,359,296 = 11,796,480;
     *            shortcut 16*16*32*16 = 131,072
     *   stage 3: first conv 8*8*64*288 = 1,179,648; 5 * 8*8*64*576 = 11,796,480; shortcut 8*8*64*32 = 131,072
     *   fc 640
     *   total 40,813,184 (published ~41M; option A would be 40,551,040).
     * ResNet-56 (n = 9): params 464 + 9*4,672 + 14,528 + 8*18,560 + 57,728 + 8*73,984 + 650 = 855,770
     *   (option A: 853,018, published 0.85M); MACs 442,368 + 18*2,359,296 + 2*(1,179,648 + 17*2,359,296 + 131,072)
     *   + 640 = 125,747,840 (published ~125M).
     */
    @Test
    void resnet20MatchesHandCountAndPublished() {
        CostModel.Cost cost = CostModel.of(ModelZoo.byName("resnet20", 3, 32, 32, 10));
        assertThat(cost.params()).isEqualTo(272_474);
        assertThat(cost.macs()).isEqualTo(40_813_184);
        assertThat((double) cost.params()).isCloseTo(0.27e6, within(0.27e6 * 0.03));
        assertThat((double) cost.macs()).isCloseTo(41e6, within(41e6 * 0.03));
        assertThat(cost.layer("s2.b1.add").macs()).isEqualTo(131_072);
        assertThat(cost.layer("s2.b1.add").params()).isEqualTo(576);
        // running stats: 2 per BN channel, stored but not learned
        long bnChannels = 16 + 3 * 2 * 16 + (3 * 2 * 32 + 32) + (3 * 2 * 64 + 64);
        assertThat(cost.buffers()).isEqualTo(2 * bnChannels);
        assertThat(cost.storedBytesFp32()).isEqualTo(4 * (272_474 + 2 * bnChannels));
    }

    @Test
    void resnet56MatchesHandCountAndPublished() {
        CostModel.Cost cost = CostModel.of(ModelZoo.resnetCifar(56, 3, 32, 32, 10));
        assertThat(cost.params()).isEqualTo(855_770);
        assertThat(cost.macs()).isEqualTo(125_747_840);
        assertThat((double) cost.params()).isCloseTo(0.85e6, within(0.85e6 * 0.03));
        assertThat((double) cost.macs()).isCloseTo(125e6, within(125e6 * 0.03));
    }

    @Test
    void resnetDepthsGrowAsExpected() {
        long p20 = CostModel.params(ModelZoo.byName("resnet20", 3, 32, 32, 10));
        long p32 = CostModel.params(ModelZoo.byName("resnet32", 3, 32, 32, 10));
        long p44 = CostModel.params(ModelZoo.byName("resnet44", 3, 32, 32, 10));
        // each extra block per stage adds 4,672 + 18,560 + 73,984 = 97,216 params; 32 = 20 + 2 blocks per stage
        assertThat(p32 - p20).isEqualTo(2 * 97_216);
        assertThat(p44 - p32).isEqualTo(2 * 97_216);
        assertThatThrownBy(() -> ModelZoo.resnetCifar(21, 3, 32, 32, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    /*
     * VGG-small at 3x32x32: conv MACs 32*32*128*27 + 32*32*128*1152 + 16*16*256*1152 + 16*16*256*2304
     * + 8*8*512*2304 + 8*8*512*4608 = 3,538,944 + 150,994,944 + 75,497,472 + 150,994,944 + 75,497,472
     * + 150,994,944 = 607,518,720; fc 8192*10 = 81,920 -> 607,600,640 MACs.
     * Params: conv 3,456 + 147,456 + 294,912 + 589,824 + 1,179,648 + 2,359,296 = 4,574,592;
     * BN 2*(128+128+256+256+512+512) = 3,584; fc 81,930 -> 4,660,106.
     */
    @Test
    void vggSmallMatchesHandCount() {
        CostModel.Cost cost = CostModel.of(ModelZoo.byName("vgg-small", 3, 32, 32, 10));
        assertThat(cost.macs()).isEqualTo(607_600_640L);
        assertThat(cost.params()).isEqualTo(4_660_106L);
    }

    /*
     * MobileNet v1 (CIFAR variant, stem stride 1) at 3x32x32, 10 classes, width 1.0:
     * published ImageNet numbers (569M MACs at 224, stem output 112x112) scale by (32/112)^2 to ~46M;
     * parameters are ImageNet's 4.2M minus its 1.02M classifier ~ 3.2M.
     */
    @Test
    void mobilenetV1WidthMultiplierScalesPointwiseCostQuadratically() {
        NetSpec full = ModelZoo.byName("mobilenet-v1", 3, 32, 32, 10);
        NetSpec half = ModelZoo.mobilenetV1(0.5, 3, 32, 32, 10);
        CostModel.Cost fullCost = CostModel.of(full);
        CostModel.Cost halfCost = CostModel.of(half);
        assertThat((double) fullCost.macs()).isCloseTo(46e6, within(46e6 * 0.05));
        assertThat((double) fullCost.params()).isCloseTo(3.2e6, within(3.2e6 * 0.05));

        long fullPw = pointwiseMacs(fullCost);
        long halfPw = pointwiseMacs(halfCost);
        assertThat(halfPw * 4).isEqualTo(fullPw); // every pointwise conv: C_in and C_out both halve
        assertThat(fullPw).isGreaterThan(fullCost.macs() * 9 / 10); // pointwise dominates
        double ratio = (double) halfCost.macs() / fullCost.macs();
        assertThat(ratio).isBetween(0.25, 0.30);
        assertThat(halfCost.layer("b1.dw").macs() * 2).isEqualTo(fullCost.layer("b1.dw").macs());
    }

    private static long pointwiseMacs(CostModel.Cost cost) {
        return cost.layers().stream().filter(l -> l.name().endsWith(".pw")).mapToLong(CostModel.LayerCost::macs).sum();
    }

    @Test
    void mlpCounts() {
        NetSpec mlp = ModelZoo.mlp(784, new int[] {256, 128}, 10);
        // (784*256 + 256) + (256*128 + 128) + (128*10 + 10) = 200,960 + 32,896 + 1,290
        assertThat(CostModel.params(mlp)).isEqualTo(235_146);
        assertThat(CostModel.macs(mlp)).isEqualTo(784 * 256 + 256 * 128 + 128 * 10);
        assertThat(CostModel.params(ModelZoo.byName("mlp", 1, 28, 28, 10))).isEqualTo(235_146);
    }

    @Test
    void byNameKnowsTheJobSpecNames() {
        for (String name : ModelZoo.NAMES) {
            NetSpec spec = ModelZoo.byName(name, 3, 32, 32, 10);
            assertThat(ShapeInference.output(spec)).isEqualTo(Shape.features(10));
        }
        for (String name : ModelZoo.NAMES) {
            assertThat(ShapeInference.output(ModelZoo.byName(name, 1, 28, 28, 10))).isEqualTo(Shape.features(10));
        }
        assertThatThrownBy(() -> ModelZoo.byName("alexnet", 3, 32, 32, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alexnet").hasMessageContaining("resnet20").hasMessageContaining("mobilenet-v1");
        assertThatThrownBy(() -> ModelZoo.byName("resnet18", 3, 32, 32, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not yet available");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet5", "resnet20", "resnet32", "resnet44", "resnet56", "vgg-small", "mobilenet-v1"})
    void jsonRoundTrip(String name) {
        NetSpec spec = ModelZoo.byName(name, 3, 32, 32, 10);
        String json = Json.write(spec);
        NetSpec back = Json.read(json, NetSpec.class);
        assertThat(back).isEqualTo(spec);
        assertThat(CostModel.of(back)).isEqualTo(CostModel.of(spec));
    }

    @Test
    void jsonUsesTypeNames() {
        String json = Json.write(ModelZoo.resnetCifar(20, 3, 32, 32, 10));
        assertThat(json).contains("\"type\":\"conv2d\"").contains("\"type\":\"add\"")
                .contains("\"shortcut\":{\"conv\":{\"type\":\"conv2d\"").contains("\"residualGroups\"");
        NetSpec half = ModelZoo.mobilenetV1(0.5, 3, 32, 32, 10);
        assertThat(Json.read(Json.write(half), NetSpec.class)).isEqualTo(half);
    }
}
