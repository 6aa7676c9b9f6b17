package dev.pocketmesh.nn.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.OnnxImport;
import dev.pocketmesh.model.OnnxTestGraph;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.learn.PretrainedWeights;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.nn.prune.PrunedModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.prune.WeightPruner;
import dev.pocketmesh.nn.tensor.Weights;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX import against ONNX Runtime: an imported model computes what the ONNX file computes, in DJL (the network
 * builder the mesh trains with) and exported again.
 */
class OnnxImportRoundTripTest {
    private static final int IMAGES = 6;

    /** Export → import gives back the zoo network and its weights; the outputs of all three runs agree. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet5", "resnet20", "vgg-small", "mobilenet-v1"})
    void importingAnExportedZooModelPreservesItsNetworkWeightsAndOutputs(String name) {
        NetSpec spec = ModelZoo.byName(name, 1, 28, 28, 10);
        Weights weights = RandomWeights.of(spec, 7);
        byte[] onnx = OnnxExport.fp32(spec, weights);

        OnnxImport.Imported imported = OnnxImport.read(onnx, spec.name());
        assertThat(imported.net().layers()).isEqualTo(spec.layers());
        assertThat(imported.net().input()).isEqualTo(spec.input());
        assertThat(imported.net().numClasses()).isEqualTo(spec.numClasses());
        assertThat(groups(imported.net())).isEqualTo(groups(spec));
        Weights back = PretrainedWeights.of(imported);
        assertThat(back.asMap()).isEqualTo(weights.asMap());

        float[] images = images(spec.input(), 1);
        float[] original = ortLogits(onnx, OnnxExport.INPUT, spec.input(), images);
        assertClose(djlLogits(imported.net(), back, images), original, name + ": DJL on the import vs ONNX Runtime");
        assertClose(ortLogits(OnnxExport.fp32(imported.net(), back), OnnxExport.INPUT, spec.input(), images),
                original, name + ": re-export vs original in ONNX Runtime");
    }

    /** A graph shaped as PyTorch writes it computes, once imported, what ONNX Runtime computes from the file. */
    @Test
    void aPyTorchStyleResNetImportsWithItsOutputs() {
        byte[] onnx = OnnxTestGraph.pytorchStyleResNet(5);
        OnnxImport.Imported imported = OnnxImport.read(onnx, "tiny-resnet");
        Weights weights = PretrainedWeights.of(imported);
        float[] images = images(imported.net().input(), 2);
        float[] expected = ortLogits(onnx, "x", imported.net().input(), images);
        assertClose(djlLogits(imported.net(), weights, images), expected, "tiny-resnet: DJL vs ONNX Runtime");
        assertClose(ortLogits(OnnxExport.fp32(imported.net(), weights), OnnxExport.INPUT, imported.net().input(),
                images), expected, "tiny-resnet: re-export vs original");
    }

    @Test
    void aPlainCnnWithReshapeAndGemmAlphaBetaImportsWithItsOutputs() {
        byte[] onnx = OnnxTestGraph.plainCnn(6, false);
        OnnxImport.Imported imported = OnnxImport.read(onnx, "plain");
        Weights weights = PretrainedWeights.of(imported);
        float[] images = images(imported.net().input(), 3);
        assertClose(djlLogits(imported.net(), weights, images), ortLogits(onnx, "images", imported.net().input(),
                images), "plain CNN: DJL vs ONNX Runtime");
    }

    /** An imported ResNet is compressed like a zoo model: its residual streams prune as units, the result runs. */
    @Test
    void anImportedResNetPrunesAlongItsResidualGroups() {
        OnnxImport.Imported imported = OnnxImport.read(OnnxTestGraph.pytorchStyleResNet(8), "tiny-resnet");
        NetSpec spec = imported.net();
        Weights weights = PretrainedWeights.of(imported);
        Map<String, Integer> keep = new LinkedHashMap<>();
        for (PruningUnits.Unit unit : PruningUnits.of(spec)) {
            keep.put(unit.name(), Math.max(1, unit.channels() / 2));
        }
        PrunedModel pruned = WeightPruner.prune(spec, weights, keep, ChannelCriterion.L1_NORM, null, 1);
        assertThat(pruned.spec().conv("layer2.downsample.downsample.0.Conv").orElseThrow().outChannels()).isEqualTo(8);
        assertThat(pruned.spec().conv("layer2.conv2.Conv").orElseThrow().outChannels()).isEqualTo(8);
        float[] images = images(spec.input(), 4);
        assertClose(ortLogits(OnnxExport.fp32(pruned.spec(), pruned.weights()), OnnxExport.INPUT, spec.input(),
                images), djlLogits(pruned.spec(), pruned.weights(), images), "pruned import: ONNX Runtime vs DJL");
    }

    /** Fine-tuning starts from the imported weights and learns, through BN, residual adds and the ReLU6 cap. */
    @Test
    void anImportedModelFineTunes() throws Exception {
        OnnxImport.Imported imported = OnnxImport.read(OnnxTestGraph.pytorchStyleResNet(9), "tiny-resnet");
        NetSpec spec = imported.net();
        ImageSet train = tenClasses(dev.pocketmesh.nn.train.ModelTrainerTestData.quadrants(256, 1));
        ImageSet validation = tenClasses(dev.pocketmesh.nn.train.ModelTrainerTestData.quadrants(100, 2));
        java.util.List<Double> losses = new java.util.ArrayList<>();
        dev.pocketmesh.nn.train.ModelTrainer.Result result = dev.pocketmesh.nn.train.ModelTrainer.train(spec,
                PretrainedWeights.of(imported), train, validation,
                new dev.pocketmesh.nn.train.TrainingConfig(2, 32, 0.02, "sgd", "cosine", 5e-4, 0.9, 3),
                new Device[] {Device.cpu()}, (stats, w) -> losses.add(stats.trainLoss()));
        assertThat(losses.get(1)).isLessThan(losses.get(0));
        assertThat(result.finalValidationAccuracy()).isGreaterThan(0.6); // 4 quadrants: chance is 0.25
    }

    /** The 4-class quadrant task labelled for a 10-logit network. */
    private static ImageSet tenClasses(ImageSet set) {
        return new ImageSet(set.shape(), 10, set.pixels(), set.labels());
    }

    private static Set<Set<String>> groups(NetSpec spec) {
        return spec.residualGroups().stream().map(g -> Set.copyOf(g.convs())).collect(Collectors.toSet());
    }

    private static float[] images(Shape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] pixels = new float[Math.toIntExact(IMAGES * shape.elements())];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        return pixels;
    }

    private static float[] djlLogits(NetSpec spec, Weights weights, float[] pixels) {
        ImageSet set = new ImageSet(spec.input(), spec.numClasses(), pixels, new int[IMAGES]);
        try (LoadedModel model = LoadedModel.load(spec, weights, Device.cpu())) {
            return model.logits(set, 0, IMAGES);
        }
    }

    /** The model's output in ONNX Runtime, fed through the input the file names (not necessarily the mesh's). */
    private static float[] ortLogits(byte[] onnx, String input, Shape shape, float[] pixels) {
        long[] dims = shape.flat() ? new long[] {IMAGES, shape.channels()}
                : new long[] {IMAGES, shape.channels(), shape.height(), shape.width()};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
                OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), dims);
                OrtSession.Result result = session.run(Map.of(input, tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] logits = new float[out.remaining()];
            out.get(logits);
            return logits;
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
        }
        assertThat(maxAbs).as(what + ": outputs are not all zero").isGreaterThan(1e-3);
        // 1e-4 in absolute terms for outputs up to 1; for larger outputs (random deep ResNets reach hundreds), 1e-4
        // of the largest, the float32 rounding two runtimes summing in different orders may differ by.
        assertThat(maxDiff).as(what + ": max |difference| (largest output " + maxAbs + ")")
                .isLessThanOrEqualTo(1e-4 * Math.max(1, maxAbs));
    }
}
