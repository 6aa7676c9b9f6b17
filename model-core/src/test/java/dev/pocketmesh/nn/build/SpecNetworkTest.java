package dev.pocketmesh.nn.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.pocketmesh.model.ChannelPruning;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.NetSpecException;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.tensor.WeightsIO;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one builder from NetSpec to DJL: shapes, weights in and out, pruned and residual networks. */
class SpecNetworkTest {

    private static float[] forward(NetSpec spec, Weights weights, int batch) {
        try (LoadedModel model = LoadedModel.load(spec, weights, Device.cpu())) {
            var in = spec.input();
            NDArray x = model.manager().randomNormal(new Shape(batch, in.channels(), in.height(), in.width()));
            NDArray out = model.forward(new NDList(x)).singletonOrThrow();
            assertThat(out.getShape()).isEqualTo(new Shape(batch, spec.numClasses()));
            return out.toFloatArray();
        }
    }

    @Test
    void everyZooNetworkRunsWithTheShapesOfItsSpec() {
        for (String name : List.of("mlp", "lenet5", "resnet20", "vgg-small", "mobilenet-v1")) {
            NetSpec spec = ModelZoo.byName(name, 1, 28, 28, 10);
            float[] logits = forward(spec, RandomWeights.of(spec, 1), 2);
            assertThat(logits).hasSize(20);
        }
    }

    @Test
    void weightsGoInAndComeOutUnchanged() {
        NetSpec spec = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        Weights weights = RandomWeights.of(spec, 3);
        SpecNetwork network = new SpecNetwork(spec);
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu())) {
            network.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, network.inputShape(1));
            NetWeights.write(network, weights);
            Weights back = NetWeights.read(network);
            assertThat(back.asMap().keySet()).containsExactlyInAnyOrderElementsOf(weights.asMap().keySet());
            weights.asMap().forEach((k, t) -> assertThat(back.asMap().get(k)).as(k).isEqualTo(t));
        }
    }

    @Test
    void weightsSurviveTheNpzFileAndGiveTheSameOutputs() {
        NetSpec spec = ModelZoo.lenet5();
        Weights weights = RandomWeights.of(spec, 5);
        Weights back = WeightsIO.fromNpz(WeightsIO.toNpz(weights));
        assertThat(back.asMap().keySet()).containsExactlyElementsOf(weights.asMap().keySet());
        weights.asMap().forEach((k, t) -> assertThat(back.asMap().get(k)).as(k).isEqualTo(t));
    }

    @Test
    void weightsOfAnotherNetworkAreRefusedByName() {
        NetSpec lenet = ModelZoo.lenet5();
        NetSpec pruned = ChannelPruning.pruneConv(lenet, "conv1", 3);
        assertThatThrownBy(() -> LoadedModel.load(pruned, RandomWeights.of(lenet, 1), Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv1.weight").hasMessageContaining("shape");
    }

    @Test
    void aPrunedNetworkRunsWithTheExpectedShapes() {
        NetSpec resnet = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        Map<String, Integer> keep = new java.util.LinkedHashMap<>();
        for (PruningUnits.Unit unit : PruningUnits.of(resnet)) {
            keep.put(unit.name(), Math.max(1, unit.channels() / 2));
        }
        NetSpec pruned = PruningUnits.apply(resnet, keep);
        assertThat(pruned.conv("s2.b1.conv1").orElseThrow().outChannels()).isEqualTo(16);
        assertThat(pruned.conv("s2.b1.conv2").orElseThrow().inChannels()).isEqualTo(16);
        assertThat(forward(pruned, RandomWeights.of(pruned, 2), 3)).hasSize(30);
    }

    @Test
    void aResidualBlockAddsTensorsOfEqualShape() {
        NetSpec resnet = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        Weights weights = RandomWeights.of(resnet, 4);
        try (LoadedModel model = LoadedModel.load(resnet, weights, Device.cpu())) {
            var images = new dev.pocketmesh.nn.data.ImageSet(resnet.input(), 10, new float[2 * 784], new int[2]);
            // The tensor entering a block's Add and the block's input have the same shape: the stage-2 first block
            // projects 16 channels at 28x28 to 32 channels at 14x14.
            Layer.Add add = (Layer.Add) resnet.layers().stream()
                    .filter(l -> l instanceof Layer.Add a && a.shortcut() != null).findFirst().orElseThrow();
            Tensor beforeAdd = model.inputOf(add.name(), images, 2);
            assertThat(beforeAdd.shape()).containsExactly(2, 32, 14, 14);
            Tensor blockInput = model.inputOf(nextAfter(resnet, add.from()), images, 2);
            assertThat(blockInput.shape()).containsExactly(2, 16, 28, 28);
        }
    }

    @Test
    void aNetworkWithMismatchedShapesIsRefusedBeforeBuilding() {
        NetSpec lenet = ModelZoo.lenet5();
        List<Layer> layers = new java.util.ArrayList<>(lenet.layers());
        int i = lenet.indexOf("conv2");
        Layer.Conv2d conv2 = (Layer.Conv2d) layers.get(i);
        layers.set(i, conv2.withInChannels(conv2.inChannels() + 1));
        assertThatThrownBy(() -> new SpecNetwork(lenet.withLayers(layers)))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("conv2");
    }

    private static String nextAfter(NetSpec spec, String layer) {
        return spec.layers().get(spec.indexOf(layer) + 1).name();
    }
}
