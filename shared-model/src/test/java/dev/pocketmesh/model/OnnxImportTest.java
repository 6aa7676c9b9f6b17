package dev.pocketmesh.model;

import static dev.pocketmesh.model.OnnxTestGraph.floating;
import static dev.pocketmesh.model.OnnxTestGraph.integer;
import static dev.pocketmesh.model.OnnxTestGraph.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The graph-to-NetSpec side of ONNX import; outputs against ONNX Runtime are checked in model-core. */
class OnnxImportTest {

    @Test
    void aPyTorchStyleResNetBecomesTheZoosLayerKindsWithAResidualGroup() {
        OnnxImport.Imported imported = OnnxImport.read(OnnxTestGraph.pytorchStyleResNet(1), "tiny-resnet");
        NetSpec net = imported.net();
        assertThat(net.input()).isEqualTo(Shape.chw(1, 12, 12));
        assertThat(net.numClasses()).isEqualTo(10);
        assertThat(net.layers()).extracting(Layer::name).containsExactly(
                "conv1.Conv", "bn1.BatchNormalization", "relu.Relu",
                "layer1.dw.Conv", "layer1.dw_bn.BatchNormalization", "layer1.act.Clip", "layer1.pw.Conv",
                "layer1.pw_bn.BatchNormalization", "layer1.Add", "layer1.relu.Relu",
                "layer2.conv1.Conv", "layer2.bn1.BatchNormalization", "layer2.relu.Relu", "layer2.conv2.Conv",
                "layer2.bn2.BatchNormalization", "layer2.Add", "layer2.relu_1.Relu",
                "pool.MaxPool", "Flatten", "fc1.Gemm", "relu6.Clip", "fc2.MatMul");
        assertThat(net.layer("layer1.dw.Conv").orElseThrow())
                .isEqualTo(new Layer.Conv2d("layer1.dw.Conv", 8, 8, 3, 1, 1, 8, false));
        assertThat(net.layer("layer1.act.Clip").orElseThrow()).isEqualTo(new Layer.Relu("layer1.act.Clip"));
        assertThat(net.layer("relu6.Clip").orElseThrow()).isEqualTo(new Layer.Relu("relu6.Clip", 6.0));
        assertThat(net.layer("layer1.Add").orElseThrow()).isEqualTo(Layer.Add.identity("layer1.Add", "relu.Relu"));
        Layer.Add projected = (Layer.Add) net.layer("layer2.Add").orElseThrow();
        assertThat(projected.from()).isEqualTo("layer1.relu.Relu");
        assertThat(projected.shortcut().conv()).isEqualTo(
                Layer.Conv2d.of("layer2.downsample.downsample.0.Conv", 8, 16, 1, 2, 0, false));
        assertThat(projected.shortcut().bn()).isEqualTo(
                new Layer.BatchNorm("layer2.downsample.downsample.1.BatchNormalization", 16));
        // The MatMul took the following Add as its bias.
        assertThat(net.layer("fc2.MatMul").orElseThrow()).isEqualTo(new Layer.Linear("fc2.MatMul", 32, 10, true));

        // Channel pruning sees the stem and block 1 as one residual stream, block 2's outputs as another.
        assertThat(net.residualGroups()).extracting(NetSpec.ResidualGroup::convs).containsExactlyInAnyOrder(
                List.of("conv1.Conv", "layer1.pw.Conv"),
                List.of("layer2.conv2.Conv", "layer2.downsample.downsample.0.Conv"));
        assertThat(PruningUnits.of(net)).filteredOn(PruningUnits.Unit::coupled).hasSize(2);
    }

    @Test
    void weightsAreNamedByLayerInTheBuildersLayouts() {
        OnnxImport.Imported imported = OnnxImport.read(OnnxTestGraph.pytorchStyleResNet(1), "tiny-resnet");
        var w = imported.weights();
        assertThat(w.get("conv1.Conv.weight").shape()).containsExactly(8, 1, 3, 3);
        assertThat(w.get("conv1.Conv.bias").shape()).containsExactly(8);
        assertThat(w.get("layer1.dw.Conv.weight").shape()).containsExactly(8, 1, 3, 3);
        assertThat(w).containsKeys("bn1.BatchNormalization.gamma", "bn1.BatchNormalization.beta",
                "bn1.BatchNormalization.runningMean", "bn1.BatchNormalization.runningVar",
                "layer2.downsample.downsample.1.BatchNormalization.runningVar");
        // Linear weights are [out, in]: Gemm's transB = 1 weight as it is, MatMul's [in, out] transposed.
        assertThat(w.get("fc1.Gemm.weight").shape()).containsExactly(32, 144);
        assertThat(w.get("fc2.MatMul.weight").shape()).containsExactly(10, 32);
        assertThat(w.get("fc2.MatMul.bias").shape()).containsExactly(10);
        // Every layer parameter and nothing else: 22 layers' worth.
        long layerTensors = imported.net().layers().stream().mapToLong(OnnxImportTest::tensorCount).sum();
        assertThat(w).hasSize((int) layerTensors);
    }

    @Test
    void batchNormEpsilonMovesIntoTheRunningVariance() {
        OnnxImport.Imported imported = OnnxImport.read(OnnxTestGraph.pytorchStyleResNet(1), "tiny-resnet");
        // bn1 was exported with epsilon 1e-3; the builder adds 1e-5, so the variance grows by the difference.
        float[] var = imported.weights().get("bn1.BatchNormalization.runningVar").values();
        OnnxImport.Imported again = OnnxImport.read(OnnxTestGraph.pytorchStyleResNet(1), "tiny-resnet");
        assertThat(var).isEqualTo(again.weights().get("bn1.BatchNormalization.runningVar").values());
        float[] raw = rawTensor(OnnxTestGraph.pytorchStyleResNet(1), "bn1.running_var");
        for (int c = 0; c < raw.length; c++) {
            assertThat((double) var[c]).isCloseTo(raw[c] + 1e-3 - 1e-5, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void noOpsAndATrailingSoftmaxAreDropped() {
        NetSpec plain = OnnxImport.read(OnnxTestGraph.plainCnn(2, false), "plain").net();
        assertThat(plain.layers()).extracting(Layer::name)
                .containsExactly("conv", "relu", "avg", "gap", "reshape", "head");
        assertThat(plain.layer("reshape").orElseThrow()).isInstanceOf(Layer.Flatten.class);
        assertThat(plain.layer("conv").orElseThrow()).isEqualTo(Layer.Conv2d.of("conv", 3, 4, 3, 1, 0, true));
        NetSpec withSoftmax = OnnxImport.read(OnnxTestGraph.plainCnn(2, true), "plain").net();
        assertThat(withSoftmax.layers()).isEqualTo(plain.layers());
    }

    @Test
    void aCappedReluIsStoredOnlyWhereItIsCapped() {
        NetSpec net = OnnxImport.read(OnnxTestGraph.pytorchStyleResNet(1), "tiny-resnet").net();
        String json = dev.pocketmesh.json.Json.write(net);
        assertThat(json).contains("{\"type\":\"relu\",\"name\":\"relu6.Clip\",\"max\":6.0}")
                .contains("{\"type\":\"relu\",\"name\":\"relu.Relu\"}");
        assertThat(dev.pocketmesh.json.Json.read(json, NetSpec.class)).isEqualTo(net);
    }

    @Test
    void aReshapeFlattensOnlyToBatchByFeatures() {
        // Exported without dynamic axes, PyTorch fixes the batch (1) and writes x.view(x.size(0), -1) as [1, -1].
        ai.onnx.proto.OnnxMl.ModelProto.Builder fixed = model(OnnxTestGraph.plainCnn(2, false)).toBuilder();
        fixed.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(0).clearDimParam().setDimValue(1);
        replaceShape(fixed, 1, -1);
        assertThat(OnnxImport.read(fixed.build().toByteArray(), "m").net().layer("reshape").orElseThrow())
                .isInstanceOf(Layer.Flatten.class);
        // With a symbolic batch, [1, -1] would merge the batch into one example: refused.
        ai.onnx.proto.OnnxMl.ModelProto.Builder dynamic = model(OnnxTestGraph.plainCnn(2, false)).toBuilder();
        replaceShape(dynamic, 1, -1);
        assertThatThrownBy(() -> OnnxImport.read(dynamic.build().toByteArray(), "m"))
                .hasMessageContaining("node #4 'reshape' (Reshape): unsupported target shape [1, -1]");
    }

    private static ai.onnx.proto.OnnxMl.ModelProto model(byte[] bytes) {
        try {
            return ai.onnx.proto.OnnxMl.ModelProto.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static void replaceShape(ai.onnx.proto.OnnxMl.ModelProto.Builder model, long... shape) {
        var graph = model.getGraphBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals("reshape.shape")) {
                graph.getInitializerBuilder(i).clearInt64Data()
                        .addAllInt64Data(java.util.Arrays.stream(shape).boxed().toList());
            }
        }
    }

    @Test
    void anUnsupportedOperatorIsNamedWithItsNode() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 1, 8, 8);
        String x = g.conv("/conv/Conv", "conv", "x", 1, 4, 3, 1, 1, 1, true);
        g.node("LSTM", "/rnn/LSTM", "h", x);
        g.node("Flatten", "/Flatten", "f", "h");
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("f", 256), "m"))
                .isInstanceOf(OnnxImportException.class)
                .hasMessageContaining("node #1 '/rnn/LSTM' (LSTM)")
                .hasMessageContaining("operator LSTM is not supported");
    }

    @Test
    void aSoftmaxInTheMiddleIsRefused() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 6);
        g.node("Softmax", "/softmax/Softmax", "s", "x").addAttribute(integer("axis", 1));
        g.node("Gemm", "/fc/Gemm", "y", "s", g.random("fc.weight", 1, 3, 6)).addAttribute(integer("transB", 1));
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("y", 3), "m"))
                .hasMessageContaining("node #0 '/softmax/Softmax' (Softmax)")
                .hasMessageContaining("only supported as the last node");
    }

    @Test
    void aConcatOfTwoBranchesIsRefusedClearly() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 1, 8, 8);
        String a = g.conv("/a/Conv", "a", "x", 1, 2, 3, 1, 1, 1, true);
        String b = g.conv("/b/Conv", "b", "x", 1, 2, 3, 1, 1, 1, true);
        g.node("Concat", "/cat/Concat", "c", a, b).addAttribute(integer("axis", 1));
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("c", 4, 8, 8), "m"))
                .hasMessageContaining("node #2 '/cat/Concat' (Concat)")
                .hasMessageContaining("it has no concatenation");
    }

    @Test
    void clipOtherThanAReluIsRefusedNamingItsBounds() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 4);
        g.node("Clip", "clip", "y", "x", g.constant("lo", -1f), g.constant("hi", 1f));
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("y", 4), "m"))
                .hasMessageContaining("node #2 'clip' (Clip)").hasMessageContaining("Clip(-1.0, 1.0)");
    }

    @Test
    void aConstantAddIsABiasOnlyOnTheChannelAxis() {
        OnnxTestGraph good = new OnnxTestGraph("x", 1, 1, 4, 4);
        good.node("Conv", "conv", "c", "x", good.random("w", 1, 3, 1, 3, 3)).addAttribute(ints("pads", 1, 1, 1, 1));
        good.node("Add", "bias", "y", "c", good.random("b", 1, 1, 3, 1, 1));
        good.node("Flatten", "flat", "f", "y");
        NetSpec net = OnnxImport.read(good.bytes("f", 48), "m").net();
        assertThat(net.layer("conv").orElseThrow()).isEqualTo(Layer.Conv2d.of("conv", 1, 3, 3, 1, 1, true));

        // A [3] constant added to N x 3 x 4 x 4 broadcasts along the width: not a per-channel bias.
        OnnxTestGraph bad = new OnnxTestGraph("x", 1, 1, 4, 3);
        bad.node("Conv", "conv", "c", "x", bad.random("w", 1, 3, 1, 3, 3)).addAttribute(ints("pads", 1, 1, 1, 1));
        bad.node("Add", "bias", "y", "c", bad.random("b", 1, 3));
        bad.node("Flatten", "flat", "f", "y");
        assertThatThrownBy(() -> OnnxImport.read(bad.bytes("f", 36), "m"))
                .hasMessageContaining("node #1 'bias' (Add) the bias 'b' has shape [3], not one value per each of "
                        + "the 3 channels of 'conv'");

        // A one-output Linear with a scalar bias is refused, not a crash.
        OnnxTestGraph scalar = new OnnxTestGraph("x", 1, 4);
        scalar.node("MatMul", "mm", "m", "x", scalar.random("w", 1, 4, 1));
        scalar.node("Add", "bias", "y", "m", scalar.floats("b", new int[0], 1f));
        assertThatThrownBy(() -> OnnxImport.read(scalar.bytes("y", 1), "m")).isInstanceOf(OnnxImportException.class)
                .hasMessageContaining("the bias 'b' has shape []");
    }

    @Test
    void aDanglingInputIsRefused() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 4);
        g.node("Relu", "relu", "r", "nowhere");
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("r", 4), "m"))
                .hasMessageContaining("node #0 'relu' (Relu) reads tensor 'nowhere', which is neither the graph input");
    }

    @Test
    void aWeightComputedByANodeOrMissingIsRefused() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 4);
        g.node("Relu", "relu", "w", "x");
        g.node("MatMul", "mm", "y", "x", "w");
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("y", 4), "m"))
                .hasMessageContaining("node #1 'mm' (MatMul) input 1 'w' must be an initializer or a Constant");

        OnnxTestGraph missing = new OnnxTestGraph("x", 1, 1, 4, 4);
        missing.node("Conv", "conv", "y", "x").addAttribute(ints("kernel_shape", 3, 3));
        assertThatThrownBy(() -> OnnxImport.read(missing.bytes("y", 1, 2, 2), "m"))
                .hasMessageContaining("node #0 'conv' (Conv) input 1 (a weight) is missing");
    }

    @Test
    void aCycleIsRefused() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 4);
        g.node("Add", "add", "a", "x", "c");
        g.node("Relu", "relu1", "b", "a");
        g.node("Relu", "relu2", "c", "b");
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("b", 4), "m"))
                .hasMessageContaining("node #0 'add' (Add) lies on a cycle");
    }

    @Test
    void aWeightOfTheWrongRankIsRefused() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 1, 8, 8);
        g.node("Conv", "conv", "y", "x", g.random("conv.weight", 1, 4, 9)).addAttribute(ints("kernel_shape", 3, 3));
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("y", 4, 6, 6), "m"))
                .hasMessageContaining("node #0 'conv' (Conv) weight 'conv.weight' has rank 2 (shape [4, 9]), "
                        + "expected rank 4");
    }

    @Test
    void aBranchNetSpecCannotExpressIsRefused() {
        // Two convs read the input and meet in an Add: neither is a projection of an ancestor of the other.
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 1, 8, 8);
        String a = g.conv("/a/Conv", "a", "x", 1, 2, 3, 1, 1, 1, false);
        g.relu("/a/Relu", a);
        String b = g.conv("/b/Conv", "b", "/a/Relu_output_0", 2, 2, 3, 1, 1, 1, false);
        String c = g.conv("/c/Conv", "c", "x", 1, 2, 3, 1, 1, 1, false);
        String d = g.relu("/c/Relu", c);
        g.node("Add", "/add/Add", "y", b, d);
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("y", 2, 8, 8), "m"))
                .hasMessageContaining("a NetSpec cannot express");
    }

    @Test
    void asymmetricPaddingAndPaddedPoolsAreRefused() {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 1, 8, 8);
        String a = g.conv("/a/Conv", "a", "x", 1, 2, 3, 1, 1, 1, false);
        g.node("MaxPool", "/pool/MaxPool", "p", a).addAttribute(ints("kernel_shape", 3, 3))
                .addAttribute(ints("strides", 2, 2)).addAttribute(ints("pads", 1, 1, 1, 1));
        assertThatThrownBy(() -> OnnxImport.read(g.bytes("p", 2, 4, 4), "m"))
                .hasMessageContaining("node #1 '/pool/MaxPool' (MaxPool): unsupported padding");
    }

    @Test
    void notOnnxAndAFixedImageSizeAreRequired() {
        assertThatThrownBy(() -> OnnxImport.read("hello, not a model".getBytes(StandardCharsets.UTF_8), "m"))
                .isInstanceOf(OnnxImportException.class).hasMessageStartingWith("not an ONNX model");
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 4);
        g.node("Gemm", "fc", "y", "x", g.random("w", 1, 3, 4)).addAttribute(integer("transB", 1))
                .addAttribute(floating("alpha", 1f));
        assertThat(OnnxImport.read(g.bytes("y", 3), "m").net().input()).isEqualTo(Shape.features(4));
    }

    @Test
    void readsAFileNamingTheNetworkAfterIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("tiny-resnet.onnx");
        java.nio.file.Files.write(file, OnnxTestGraph.pytorchStyleResNet(3));
        assertThat(OnnxImport.read(file).net().name()).isEqualTo("tiny-resnet");
        assertThatThrownBy(() -> OnnxImport.read(dir.resolve("missing.onnx")))
                .isInstanceOf(OnnxImportException.class).hasMessageStartingWith("cannot read");
    }

    private static long tensorCount(Layer l) {
        if (l instanceof Layer.Conv2d c) {
            return c.bias() ? 2 : 1;
        }
        if (l instanceof Layer.Linear lin) {
            return lin.bias() ? 2 : 1;
        }
        if (l instanceof Layer.BatchNorm) {
            return 4;
        }
        return l instanceof Layer.Add a && a.shortcut() != null ? 1 + 4 : 0;
    }

    private static float[] rawTensor(byte[] model, String name) {
        try {
            var t = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(model).getGraph().getInitializerList().stream()
                    .filter(i -> i.getName().equals(name)).findFirst().orElseThrow();
            float[] out = new float[(int) t.getDims(0)];
            t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
