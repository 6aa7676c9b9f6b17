package dev.pocketmesh.nn.prune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ReconstructionTest {
    /** conv1 (2 -> 8) feeds conv2 (8 -> 6) directly: no BN, no ReLU, so conv2 sees conv1's channels as they are. */
    private static final NetSpec CHAIN = new NetSpec("chain", Shape.chw(2, 8, 8), 3, List.of(
            Layer.Conv2d.of("conv1", 2, 8, 3, 1, 1, false),
            Layer.Conv2d.of("conv2", 8, 6, 3, 1, 1, true),
            new Layer.GlobalAvgPool("gap"),
            new Layer.Flatten("flatten"),
            new Layer.Linear("fc", 6, 3, true)), List.of());

    /**
     * conv1's 8 filters are mixtures of 3 base filters plus 5 % noise, so its 8 output channels are strongly
     * correlated: 3 of them carry nearly all the information, which only a refit of conv2 can exploit.
     */
    private static Weights correlatedChain() {
        Random random = new Random(11);
        int base = 3;
        float[][] bases = new float[base][18];
        for (float[] b : bases) {
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) random.nextGaussian();
            }
        }
        float[] conv1 = new float[8 * 18];
        for (int ch = 0; ch < 8; ch++) {
            double[] mix = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
            for (int i = 0; i < 18; i++) {
                double v = 0.05 * random.nextGaussian();
                for (int m = 0; m < base; m++) {
                    v += mix[m] * bases[m][i];
                }
                conv1[ch * 18 + i] = (float) (v / 3);
            }
        }
        return RandomWeights.of(CHAIN, 12).with(Map.of("conv1.weight", new Tensor(new int[] {8, 2, 3, 3}, conv1)));
    }

    @Test
    void refitBeatsL1AndPlainLassoSelectionOnCorrelatedChannels() {
        Weights w = correlatedChain();
        Tensor train = ReferenceNet.images(40, 2, 8, 8, 1);
        Tensor heldOut = ReferenceNet.images(30, 2, 8, 8, 2);
        ActivationSource source = (layer, spec, weights) -> ReferenceNet.inputOf(spec, weights, train, layer);
        Map<String, Integer> keep = Map.of("conv1", 3);

        PrunedModel reconstructed = WeightPruner.prune(CHAIN, w, keep, ChannelCriterion.RECONSTRUCTION, source, 5);
        PrunedModel l1 = WeightPruner.prune(CHAIN, w, keep, ChannelCriterion.L1_NORM, null, 5);
        int[] lassoChoice = reconstructed.keptByUnit().get("conv1");
        ChannelSlicer.Result lassoOnly = ChannelSlicer.slice(CHAIN, w, List.of("conv1"), lassoChoice);

        // conv2's output (the input of gap) on images the fit never saw.
        Tensor reference = ReferenceNet.inputOf(CHAIN, w, heldOut, "gap");
        double errReconstructed = ReferenceNet.relativeError(
                ReferenceNet.inputOf(reconstructed.spec(), reconstructed.weights(), heldOut, "gap"), reference);
        double errL1 = ReferenceNet.relativeError(ReferenceNet.inputOf(l1.spec(), l1.weights(), heldOut, "gap"), reference);
        double errLasso = ReferenceNet.relativeError(
                ReferenceNet.inputOf(lassoOnly.spec(), lassoOnly.weights(), heldOut, "gap"), reference);
        System.out.printf("chain conv1 8 -> 3: held-out relative error reconstruction %.4f, l1 %.4f, lasso without "
                + "refit %.4f; notes %s%n", errReconstructed, errL1, errLasso, reconstructed.notes());

        assertThat(errReconstructed).isLessThan(0.25 * errL1).isLessThan(0.25 * errLasso).isLessThan(0.1);
        assertThat(reconstructed.notes()).singleElement().asString().contains("conv1").contains("'conv2' refit on 400");
        assertThat(reconstructed.weights().get("conv2", "bias")).isEqualTo(w.get("conv2", "bias"));
        WeightShapes.check(reconstructed.spec(), reconstructed.weights());
    }

    @Test
    void lassoSelectionLooksAtWhatTheConsumerUsesNotAtFilterSize() {
        // conv1's channels 0-3 have the largest filters, but conv2 barely reads them (weights x 0.01);
        // channels 4-7 are smaller filters that conv2 does read. L1 keeps the former, LASSO the latter.
        Weights random = RandomWeights.of(CHAIN, 22);
        float[] conv1 = random.get("conv1", "weight").data().clone();
        float[] conv2 = random.get("conv2", "weight").data().clone();
        for (int ch = 0; ch < 8; ch++) {
            for (int i = 0; i < 18; i++) {
                conv1[ch * 18 + i] *= ch < 4 ? 3f : 1f;
            }
        }
        for (int o = 0; o < 6; o++) {
            for (int ch = 0; ch < 4; ch++) {
                for (int i = 0; i < 9; i++) {
                    conv2[(o * 8 + ch) * 9 + i] *= 0.01f;
                }
            }
        }
        Weights w = random.with(Map.of("conv1.weight", new Tensor(new int[] {8, 2, 3, 3}, conv1),
                "conv2.weight", new Tensor(new int[] {6, 8, 3, 3}, conv2)));
        Tensor train = ReferenceNet.images(40, 2, 8, 8, 3);
        Reconstruction.Consumer consumer = Reconstruction.consumerOf(CHAIN, List.of("conv1")).consumer();
        Reconstruction.Problem problem = Reconstruction.problem(consumer,
                ReferenceNet.inputOf(CHAIN, w, train, "conv2"), w.get("conv2", "weight"), new Random(1));
        assertThat(problem.samples).isEqualTo(400);

        int[] lasso = Reconstruction.lassoSelect(problem, 4);
        int[] l1 = ChannelScores.top(ChannelScores.filterNorms(w.get("conv1", "weight"), false), 4);
        assertThat(l1).containsExactly(0, 1, 2, 3);
        assertThat(lasso).containsExactly(4, 5, 6, 7);
        double lassoErr = Reconstruction.relativeError(problem, lasso, Reconstruction.originalWeights(problem, lasso));
        double l1Err = Reconstruction.relativeError(problem, l1, Reconstruction.originalWeights(problem, l1));
        System.out.printf("consumer-blind filters, keep 4 of 8: lasso %s error %.4f, l1 %s error %.4f%n",
                Arrays.toString(lasso), lassoErr, Arrays.toString(l1), l1Err);
        assertThat(lassoErr).isLessThan(0.2 * l1Err);
    }

    @Test
    void sampledErrorMatchesTheDirectComputation() {
        // The quadratic-form error (from X^T X only) must equal ||Y - X_K V^T|| / ||Y|| computed sample by sample,
        // for a padded stride-1 consumer and an unpadded stride-2 one.
        NetSpec strided = new NetSpec("strided", Shape.chw(2, 9, 9), 3, List.of(
                Layer.Conv2d.of("conv1", 2, 8, 3, 1, 1, false),
                Layer.Conv2d.of("conv2", 8, 6, 3, 2, 0, true),
                new Layer.GlobalAvgPool("gap"),
                new Layer.Flatten("flatten"),
                new Layer.Linear("fc", 6, 3, true)), List.of());
        for (NetSpec spec : List.of(CHAIN, strided)) {
            Weights w = RandomWeights.of(spec, 61);
            Tensor train = ReferenceNet.images(5, 2, spec.input().height(), spec.input().width(), 8);
            Tensor input = ReferenceNet.inputOf(spec, w, train, "conv2");
            Reconstruction.Consumer consumer = Reconstruction.consumerOf(spec, List.of("conv1")).consumer();
            Tensor conv2 = w.get("conv2", "weight");
            Reconstruction.Problem problem = Reconstruction.problem(consumer, input, conv2, new Random(2));
            int[] kept = {1, 4, 6};
            Reconstruction.Fit fit = Reconstruction.refit(problem, kept);
            double[] refit = fit.weights();
            double[] original = Reconstruction.originalWeights(problem, kept);
            // The same seed draws the same positions; directError redraws them and evaluates Y, X_K V^T explicitly.
            assertThat(Reconstruction.relativeError(problem, kept, refit)).isCloseTo(
                    directError(consumer, input, conv2, kept, refit, new Random(2)), Offset.offset(1e-6));
            assertThat(Reconstruction.relativeError(problem, kept, original)).isCloseTo(
                    directError(consumer, input, conv2, kept, original, new Random(2)), Offset.offset(1e-6));
            // The shortcuts WeightPruner reports: the refit's own error, and the dropped channels' energy.
            assertThat(fit.relativeError()).isCloseTo(Reconstruction.relativeError(problem, kept, refit), Offset.offset(1e-6));
            assertThat(Reconstruction.droppedError(problem, kept)).isCloseTo(
                    Reconstruction.relativeError(problem, kept, original), Offset.offset(1e-6));
            assertThat(fit.relativeError()).isLessThan(Reconstruction.droppedError(problem, kept));
        }
    }

    /** Samples positions exactly like {@link Reconstruction#problem} and evaluates the error explicitly. */
    private static double directError(Reconstruction.Consumer consumer, Tensor input, Tensor weight, int[] kept,
            double[] refit, Random random) {
        int n = input.dim(0);
        int c = input.dim(1);
        int h = input.dim(2);
        int wd = input.dim(3);
        Layer.Conv2d conv = consumer.conv();
        int k = conv.kernel();
        int outH = (h + 2 * conv.padding() - k) / conv.stride() + 1;
        int outW = (wd + 2 * conv.padding() - k) / conv.stride() + 1;
        int outputs = weight.dim(0);
        int[] positions = IntStream.range(0, outH * outW).toArray();
        double num = 0;
        double den = 0;
        for (int img = 0; img < n; img++) {
            for (int i = 0; i < Reconstruction.POSITIONS_PER_IMAGE; i++) {
                int j = i + random.nextInt(positions.length - i);
                int tmp = positions[i];
                positions[i] = positions[j];
                positions[j] = tmp;
            }
            for (int s = 0; s < Reconstruction.POSITIONS_PER_IMAGE; s++) {
                int oy = positions[s] / outW;
                int ox = positions[s] % outW;
                for (int o = 0; o < outputs; o++) {
                    double y = 0;
                    double yHat = 0;
                    for (int ch = 0; ch < c; ch++) {
                        int keptIndex = Arrays.binarySearch(kept, ch);
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * conv.stride() - conv.padding() + ky;
                                int ix = ox * conv.stride() - conv.padding() + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                    continue;
                                }
                                double x = input.data()[((img * c + ch) * h + iy) * wd + ix];
                                y += x * weight.data()[((o * c + ch) * k + ky) * k + kx];
                                if (keptIndex >= 0) {
                                    yHat += x * refit[((o * kept.length + keptIndex) * k + ky) * k + kx];
                                }
                            }
                        }
                    }
                    num += (y - yHat) * (y - yHat);
                    den += y * y;
                }
            }
        }
        return Math.sqrt(num / den);
    }

    @Test
    void linearAfterFlattenIsRefitOnTheFlatInput() {
        NetSpec lenet = ModelZoo.byName("lenet5", 1, 16, 16, 10); // conv2 ends at 16 x 2 x 2: fc1 has 64 inputs
        Weights w = RandomWeights.of(lenet, 31);
        Tensor train = ReferenceNet.images(300, 1, 16, 16, 4);
        Tensor heldOut = ReferenceNet.images(100, 1, 16, 16, 5);
        List<String> asked = new ArrayList<>();
        ActivationSource source = (layer, spec, weights) -> {
            asked.add(layer);
            return ReferenceNet.inputOf(spec, weights, train, layer); // [N, 64]: what fc1 receives
        };
        Map<String, Integer> keep = Map.of("conv2", 6);
        PrunedModel reconstructed = WeightPruner.prune(lenet, w, keep, ChannelCriterion.RECONSTRUCTION, source, 7);
        PrunedModel l1 = WeightPruner.prune(lenet, w, keep, ChannelCriterion.L1_NORM, null, 7);
        ChannelSlicer.Result lassoOnly = ChannelSlicer.slice(lenet, w, List.of("conv2"),
                reconstructed.keptByUnit().get("conv2"));
        assertThat(asked).containsExactly("fc1");
        assertThat(reconstructed.weights().get("fc1", "weight").shape()).containsExactly(120, 24);

        Tensor reference = ReferenceNet.inputOf(lenet, w, heldOut, "relu3"); // fc1 output
        double errReconstructed = ReferenceNet.relativeError(
                ReferenceNet.inputOf(reconstructed.spec(), reconstructed.weights(), heldOut, "relu3"), reference);
        double errL1 = ReferenceNet.relativeError(ReferenceNet.inputOf(l1.spec(), l1.weights(), heldOut, "relu3"), reference);
        double errLasso = ReferenceNet.relativeError(
                ReferenceNet.inputOf(lassoOnly.spec(), lassoOnly.weights(), heldOut, "relu3"), reference);
        System.out.printf("lenet5 conv2 16 -> 6 (fc1 refit): held-out relative error reconstruction %.4f, l1 %.4f, "
                + "lasso without refit %.4f%n", errReconstructed, errL1, errLasso);
        assertThat(errReconstructed).isLessThan(0.8 * errL1).isLessThan(0.8 * errLasso);
    }

    @Test
    void aHiddenLinearsNeuronsAreChosenAndTheNextLinearRefit() {
        NetSpec lenet = ModelZoo.byName("lenet5", 1, 16, 16, 10);
        Weights w = RandomWeights.of(lenet, 32);
        Tensor train = ReferenceNet.images(300, 1, 16, 16, 6);
        Tensor heldOut = ReferenceNet.images(100, 1, 16, 16, 7);
        List<String> asked = new ArrayList<>();
        ActivationSource source = (layer, spec, weights) -> {
            asked.add(layer);
            return ReferenceNet.inputOf(spec, weights, train, layer); // [N, 120]: what fc2 receives
        };
        Map<String, Integer> keep = Map.of("fc1", 40);
        PrunedModel reconstructed = WeightPruner.prune(lenet, w, keep, ChannelCriterion.RECONSTRUCTION, source, 7);
        PrunedModel l1 = WeightPruner.prune(lenet, w, keep, ChannelCriterion.L1_NORM, null, 7);
        assertThat(asked).containsExactly("fc2");
        assertThat(reconstructed.weights().get("fc2", "weight").shape()).containsExactly(84, 40);
        assertThat(reconstructed.notes()).singleElement().asString().contains("'fc2' refit");

        Tensor reference = ReferenceNet.inputOf(lenet, w, heldOut, "relu4"); // fc2 output
        double errReconstructed = ReferenceNet.relativeError(
                ReferenceNet.inputOf(reconstructed.spec(), reconstructed.weights(), heldOut, "relu4"), reference);
        double errL1 = ReferenceNet.relativeError(ReferenceNet.inputOf(l1.spec(), l1.weights(), heldOut, "relu4"), reference);
        System.out.printf("lenet5 fc1 120 -> 40 (fc2 refit): held-out relative error reconstruction %.4f, l1 %.4f%n",
                errReconstructed, errL1);
        assertThat(errReconstructed).isLessThan(0.8 * errL1);
    }

    @Test
    void unitsThatDoNotQualifyUseL1WithAReason() {
        NetSpec resnet = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        Weights w = RandomWeights.of(resnet, 41);
        ActivationSource never = (layer, spec, weights) -> {
            throw new AssertionError("no activations expected, asked for " + layer);
        };
        PrunedModel m = WeightPruner.prune(resnet, w, Map.of("stage2", 20), ChannelCriterion.RECONSTRUCTION, never, 1);
        PrunedModel l1 = WeightPruner.prune(resnet, w, Map.of("stage2", 20), ChannelCriterion.L1_NORM, null, 1);
        assertThat(m.keptByUnit().get("stage2")).containsExactly(l1.keptByUnit().get("stage2"));
        assertThat(m.notes()).singleElement().asString().contains("stage2").contains("does not apply")
                .contains("coupled").contains("l1-norm");

        NetSpec mobilenet = ModelZoo.byName("mobilenet-v1", 3, 16, 16, 10);
        PrunedModel mm = WeightPruner.prune(mobilenet, RandomWeights.of(mobilenet, 42), Map.of("b3.pw", 64),
                ChannelCriterion.RECONSTRUCTION, never, 1);
        assertThat(mm.notes()).singleElement().asString().contains("b3.pw").contains("depthwise conv 'b4.dw'");
    }

    @Test
    void eachUnitSeesTheNetworkPrunedSoFar() {
        NetSpec resnet = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        Weights w = RandomWeights.of(resnet, 51);
        Tensor train = ReferenceNet.images(3, 1, 28, 28, 6);
        List<String> calls = new ArrayList<>();
        ActivationSource source = (layer, spec, weights) -> {
            calls.add(layer + " after s1.b1.conv1=" + spec.conv("s1.b1.conv1").orElseThrow().outChannels());
            WeightShapes.check(spec, weights);
            return ReferenceNet.inputOf(spec, weights, train, layer);
        };
        PrunedModel m = WeightPruner.prune(resnet, w, Map.of("s1.b1.conv1", 8, "s1.b2.conv1", 10, "s3.b3.conv1", 64),
                ChannelCriterion.RECONSTRUCTION, source, 3);
        assertThat(calls).containsExactly("s1.b1.conv2 after s1.b1.conv1=16", "s1.b2.conv2 after s1.b1.conv1=8");
        assertThat(m.keptByUnit()).containsOnlyKeys("s1.b1.conv1", "s1.b2.conv1"); // keep == channels: left whole
        assertThat(m.keptByUnit().get("s1.b1.conv1")).hasSize(8).isSorted();
        assertThat(m.notes()).hasSize(2).allSatisfy(n -> assertThat(n).contains("relative output error"));
        WeightShapes.check(m.spec(), m.weights());
        Tensor out = ReferenceNet.forward(m.spec(), m.weights(), train);
        assertThat(out.shape()).containsExactly(3, 10);
    }
}
