package dev.pocketmesh.nn.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.compress.Calibration;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.data.Normalization;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.learn.QuantizationRecipe;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.ModelTrainerTestData;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QDQ export of quantized models: ONNX Runtime computes what the simulated quantized model computes, and turns
 * the graph into integer kernels.
 */
class QuantizedOnnxExportTest {
    private static final Device[] CPU = {Device.cpu()};
    private static DataSplits data;

    @BeforeAll
    static void data() {
        ImageSet train = ModelTrainerTestData.quadrants(512, 1);
        ImageSet validation = ModelTrainerTestData.quadrants(400, 2);
        data = new DataSplits(train, validation, validation, Normalization.identity(1));
    }

    private static ModelFiles ptq(ModelFiles model, int bits, int activationBits) throws Exception {
        QuantizationRecipe.Settings settings = new QuantizationRecipe.Settings("ptq", bits, Map.of(), true, true,
                Calibration.PERCENTILE, 99.99, 128, activationBits, true);
        TrainingConfig none = new TrainingConfig(0, 32, 0.01, "sgd", "cosine", 5e-4, 0.9, 7);
        ModelFiles quantized = QuantizationRecipe.run(model, settings, data, none, CPU, null, (s, w) -> {
        }).model();
        // As an evaluator reads it back.
        return ModelFiles.packed(quantized.spec(), PackedWeights.fromBytes(quantized.packed().toBytes()));
    }

    @Test
    void aTrainedLeNetQuantizedTo8BitsScoresTheSameInOnnxRuntimeWithIntegerKernels(@TempDir Path dir)
            throws Exception {
        NetSpec net = ModelZoo.lenet5(1, 12, 12, 4);
        ModelTrainer.Result trained = ModelTrainer.train(net, null, data.train(), data.validation(),
                new TrainingConfig(3, 32, 0.05, "sgd", "cosine", 5e-4, 0.9, 7), CPU, (s, w) -> {
                });
        ModelFiles quantized = ptq(new ModelFiles(net, trained.weights()), 8, 8);
        ImageSet set = data.validation();
        try (LoadedModel simulated = LoadedModel.load(quantized, Device.cpu());
                OnnxRuntimeModel ort = OnnxRuntimeModel.load(quantized.onnx(), quantized.spec(), 1)) {
            assertAgree(simulated.logits(set, 0, set.size()), ort.logits(set, 0, set.size()), set.size(), 0.01, 0.01);
            assertThat(ort.accuracy(set, 64).top1()).isEqualTo(simulated.accuracy(set, 64).top1());
        }
        // Every conv and linear layer with a quantized output runs as an integer kernel; Relu disappears into them.
        List<String> ops = optimizedOps(quantized.onnx(), dir);
        assertThat(ops).as("ONNX Runtime's optimized graph").contains("QLinearConv")
                .doesNotContain("Conv", "Relu");
        assertThat(ops.stream().filter(op -> op.equals("QLinearConv")).count()).isEqualTo(2);
        // The file holds one byte per weight (names, scales and biases weigh in a net this small).
        assertThat(quantized.onnx().length).isLessThan(OnnxExport.fp32(quantized.spec(), quantized.weights()).length / 2);
    }

    @Test
    void narrowCodesAndResidualStreamsComputeTheSimulatedValues() throws Exception {
        // Random weights, a ResNet (shared residual streams, projection shortcuts, Add), 4-bit weights and 6-bit
        // layer inputs (Clip before QuantizeLinear): the logits still match the simulation.
        NetSpec net = ModelZoo.byName("resnet20", 1, 12, 12, 4);
        ModelFiles quantized = ptq(new ModelFiles(net, RandomWeights.of(net, 5)), 4, 6);
        ImageSet set = data.validation();
        try (LoadedModel simulated = LoadedModel.load(quantized, Device.cpu());
                OnnxRuntimeModel ort = OnnxRuntimeModel.load(quantized.onnx(), quantized.spec(), 1)) {
            // Random weights through 19 layers magnify the rare code that lands on the other side of a rounding tie.
            assertAgree(simulated.logits(set, 0, 64), ort.logits(set, 0, 64), 64, 0.1, 0.05);
        }
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(quantized.onnx());
        assertThat(proto.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType).contains("Clip");
    }

    /**
     * Logits agree to {@code tolerance} of their largest magnitude and the predicted classes differ on at most
     * {@code disagreement} of the images. They are not bit-equal: the bias is rounded to int32, sums run in another
     * order, and a value that lands within float error of a rounding tie may take the neighbouring code.
     */
    private static void assertAgree(float[] expected, float[] actual, int images, double tolerance,
            double disagreement) {
        assertThat(actual).hasSameSizeAs(expected);
        int classes = expected.length / images;
        double maxAbs = 0;
        double maxDiff = 0;
        int disagree = 0;
        for (int i = 0; i < images; i++) {
            int a = 0;
            int b = 0;
            for (int c = 0; c < classes; c++) {
                int k = i * classes + c;
                maxAbs = Math.max(maxAbs, Math.abs(expected[k]));
                maxDiff = Math.max(maxDiff, Math.abs(expected[k] - actual[k]));
                a = expected[k] > expected[i * classes + a] ? c : a;
                b = actual[k] > actual[i * classes + b] ? c : b;
            }
            disagree += a == b ? 0 : 1;
        }
        assertThat(maxAbs).as("logits are not all zero").isGreaterThan(1e-3);
        assertThat(maxDiff).as("max |simulated - ONNX Runtime| (max |logit| %.3f)", maxAbs)
                .isLessThanOrEqualTo(tolerance * maxAbs);
        assertThat(disagree).as("images whose predicted class differs").isLessThanOrEqualTo((int) (images * disagreement));
    }

    /** The operators of the graph ONNX Runtime runs after its optimisations, as it writes them out. */
    private static List<String> optimizedOps(byte[] onnx, Path dir) throws Exception {
        Path optimized = dir.resolve("optimized.onnx");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setOptimizedModelFilePath(optimized.toString());
            env.createSession(onnx, options).close();
        }
        return OnnxMl.ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeList().stream()
                .map(OnnxMl.NodeProto::getOpType).toList();
    }
}
