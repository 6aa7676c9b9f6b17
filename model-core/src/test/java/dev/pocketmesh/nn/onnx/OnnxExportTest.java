package dev.pocketmesh.nn.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.nn.prune.PrunedModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.prune.WeightPruner;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OnnxExportTest {

    /** Every zoo model, exported and run in ONNX Runtime, gives DJL's logits on the same images. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet5", "resnet20", "resnet56", "vgg-small", "mobilenet-v1"})
    void exportedZooModelsGiveTheSameLogitsAsDjl(String name) {
        NetSpec spec = ModelZoo.byName(name, 1, 28, 28, 10);
        assertSameLogits(spec, RandomWeights.of(spec, 7));
    }

    @Test
    void aPrunedResNetExportsAsASmallerGraphWithTheSameLogits() {
        NetSpec spec = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        Weights weights = RandomWeights.of(spec, 3);
        Map<String, Integer> keep = new LinkedHashMap<>();
        for (PruningUnits.Unit unit : PruningUnits.of(spec)) {
            keep.put(unit.name(), Math.max(1, unit.channels() / 2));
        }
        PrunedModel pruned = WeightPruner.prune(spec, weights, keep, ChannelCriterion.L1_NORM, null, 1);
        byte[] full = OnnxExport.fp32(spec, weights);
        byte[] small = OnnxExport.fp32(pruned.spec(), pruned.weights());
        assertThat(small.length).isLessThan(full.length / 2);
        assertSameLogits(pruned.spec(), pruned.weights());
    }

    @Test
    void onnxRuntimeAccuracyMatchesDjlOnALabelledSet() {
        NetSpec spec = ModelZoo.byName("lenet5", 1, 28, 28, 10);
        Weights weights = RandomWeights.of(spec, 11);
        ImageSet set = images(spec, 300, 5);
        try (LoadedModel djl = LoadedModel.load(spec, weights, Device.cpu());
                OnnxRuntimeModel ort = OnnxRuntimeModel.load(OnnxExport.fp32(spec, weights), spec, 1)) {
            assertThat(ort.accuracy(set, 64)).isEqualTo(djl.accuracy(set, 64));
        }
    }

    @Test
    void aBrokenOnnxFileIsRefusedClearly() {
        NetSpec spec = ModelZoo.lenet5();
        byte[] onnx = OnnxExport.fp32(spec, RandomWeights.of(spec, 1));
        byte[] truncated = java.util.Arrays.copyOf(onnx, onnx.length / 3);
        assertThatThrownBy(() -> OnnxRuntimeModel.load(truncated, spec, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ONNX Runtime refused the model of lenet5");
    }

    @Test
    void everyWrittenModelCarriesItsOnnxExport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        NetSpec spec = ModelZoo.lenet5();
        ModelFiles model = new ModelFiles(spec, RandomWeights.of(spec, 2));
        model.write(dir);
        assertThat(java.nio.file.Files.readAllBytes(dir.resolve(ModelFiles.ONNX))).isEqualTo(model.onnx());
        ai.onnx.proto.OnnxMl.ModelProto proto = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(model.onnx());
        assertThat(proto.getGraph().getOutput(0).getName()).isEqualTo(OnnxExport.OUTPUT);
        // One node per layer: LeNet-5 has 12.
        assertThat(proto.getGraph().getNodeCount()).isEqualTo(spec.layers().size());
        assertThat(proto.getGraph().getInitializerList()).extracting(t -> t.getName()).contains("conv1.weight", "fc3.bias");
    }

    private static void assertSameLogits(NetSpec spec, Weights weights) {
        ImageSet set = images(spec, 9, 1);
        try (LoadedModel djl = LoadedModel.load(spec, weights, Device.cpu());
                OnnxRuntimeModel ort = OnnxRuntimeModel.load(OnnxExport.fp32(spec, weights), spec, 2)) {
            // A batch that does not start at image 0 checks that the runtime reads the right slice of the set.
            float[] expected = djl.logits(set, 2, 9);
            float[] actual = ort.logits(set, 2, 9);
            assertThat(actual).hasSize(7 * spec.numClasses());
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < expected.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
                maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            }
            assertThat(maxAbs).as("logits of random weights are not all zero").isGreaterThan(1e-3);
            assertThat(maxDiff).as("max |DJL - ONNX Runtime| over the logits of " + spec.name())
                    .isLessThanOrEqualTo(1e-4 * Math.max(1, maxAbs));
        }
    }

    private static ImageSet images(NetSpec spec, int n, long seed) {
        Shape s = spec.input();
        SplittableRandom random = new SplittableRandom(seed);
        float[] pixels = new float[Math.toIntExact(n * s.elements())];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(spec.numClasses());
        }
        return new ImageSet(s, spec.numClasses(), pixels, labels);
    }
}
