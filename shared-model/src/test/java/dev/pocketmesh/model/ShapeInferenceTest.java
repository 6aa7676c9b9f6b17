package dev.pocketmesh.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.model.Layer.Add;
import dev.pocketmesh.model.Layer.BatchNorm;
import dev.pocketmesh.model.Layer.Conv2d;
import dev.pocketmesh.model.Layer.Flatten;
import dev.pocketmesh.model.Layer.GlobalAvgPool;
import dev.pocketmesh.model.Layer.Linear;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {

    @Test
    void propagatesLenetShapes() {
        List<ShapeInference.LayerShape> shapes = ShapeInference.infer(ModelZoo.lenet5());
        assertThat(shapes).extracting(ShapeInference.LayerShape::out).containsExactly(
                Shape.chw(6, 28, 28), Shape.chw(6, 28, 28), Shape.chw(6, 14, 14),
                Shape.chw(16, 10, 10), Shape.chw(16, 10, 10), Shape.chw(16, 5, 5),
                Shape.features(400), Shape.features(120), Shape.features(120), Shape.features(84),
                Shape.features(84), Shape.features(10));
    }

    @Test
    void rejectsConvWithWrongInChannels() {
        NetSpec lenet = ModelZoo.lenet5();
        List<Layer> layers = new ArrayList<>(lenet.layers());
        layers.set(3, Conv2d.of("conv2", 7, 16, 5, 1, 0, true));
        assertThatThrownBy(() -> ShapeInference.infer(lenet.withLayers(layers)))
                .isInstanceOf(NetSpecException.class)
                .hasMessageContaining("conv2").hasMessageContaining("7").hasMessageContaining("6x14x14")
                .extracting(e -> ((NetSpecException) e).layer()).isEqualTo("conv2");
    }

    @Test
    void rejectsLinearWithWrongInFeatures() {
        NetSpec lenet = ModelZoo.lenet5();
        List<Layer> layers = new ArrayList<>(lenet.layers());
        layers.set(7, new Linear("fc1", 256, 120, true));
        assertThatThrownBy(() -> ShapeInference.infer(lenet.withLayers(layers)))
                .isInstanceOf(NetSpecException.class)
                .hasMessageContaining("fc1").hasMessageContaining("[256]").hasMessageContaining("[400]");
    }

    @Test
    void rejectsLinearOnFeatureMapAndWrongClassCount() {
        NetSpec lenet = ModelZoo.lenet5();
        List<Layer> noFlatten = new ArrayList<>(lenet.layers());
        noFlatten.remove(6);
        assertThatThrownBy(() -> ShapeInference.infer(lenet.withLayers(noFlatten)))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("fc1").hasMessageContaining("Flatten");
        NetSpec elevenClasses = new NetSpec("x", lenet.input(), 11, lenet.layers(), List.of());
        assertThatThrownBy(() -> ShapeInference.infer(elevenClasses))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("fc3").hasMessageContaining("11");
    }

    @Test
    void rejectsAddOfDifferentShapes() {
        // s2.b1 without its projection shortcut: 32x16x16 main path + 16x32x32 identity
        NetSpec resnet = ModelZoo.resnetCifar(20, 3, 32, 32, 10);
        List<Layer> layers = new ArrayList<>(resnet.layers());
        int i = resnet.indexOf("s2.b1.add");
        Add add = (Add) layers.get(i);
        layers.set(i, Add.identity(add.name(), add.from()));
        assertThatThrownBy(() -> ShapeInference.infer(resnet.withLayers(layers)))
                .isInstanceOf(NetSpecException.class)
                .hasMessageContaining("s2.b1.add").hasMessageContaining("32x16x16").hasMessageContaining("16x32x32");
    }

    @Test
    void rejectsAddFromUnknownLayerAndDuplicateNames() {
        Shape in = Shape.chw(4, 8, 8);
        NetSpec bad = new NetSpec("x", in, 4, List.of(
                Conv2d.of("c", 4, 4, 3, 1, 1, false), Add.identity("add", "later"),
                new GlobalAvgPool("gap"), new Flatten("f")), List.of());
        assertThatThrownBy(() -> ShapeInference.infer(bad)).isInstanceOf(NetSpecException.class)
                .hasMessageContaining("add").hasMessageContaining("later");
        assertThatThrownBy(() -> new NetSpec("x", in, 4, List.of(new BatchNorm("a", 4), new BatchNorm("a", 4)), List.of()))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("duplicate");
    }

    @Test
    void residualGroupsMustMatchTheAdds() {
        NetSpec resnet = ModelZoo.resnetCifar(20, 3, 32, 32, 10);
        NetSpec undeclared = new NetSpec(resnet.name(), resnet.input(), 10, resnet.layers(),
                resnet.residualGroups().subList(0, 2));
        assertThatThrownBy(() -> ShapeInference.infer(undeclared)).isInstanceOf(NetSpecException.class)
                .hasMessageContaining("s3.b1.conv2");
        List<NetSpec.ResidualGroup> wrong = new ArrayList<>(resnet.residualGroups());
        wrong.set(0, new NetSpec.ResidualGroup("stage1", List.of("conv1", "s1.b1.conv2")));
        assertThatThrownBy(() -> ShapeInference.infer(new NetSpec(resnet.name(), resnet.input(), 10, resnet.layers(), wrong)))
                .isInstanceOf(NetSpecException.class).hasMessageContaining("stage1");
    }

    @Test
    void resnetBlocksKeepResidualShapes() {
        NetSpec resnet = ModelZoo.resnetCifar(20, 3, 32, 32, 10);
        List<ShapeInference.LayerShape> shapes = ShapeInference.infer(resnet);
        assertThat(shapes.get(resnet.indexOf("s1.b3.add")).out()).isEqualTo(Shape.chw(16, 32, 32));
        assertThat(shapes.get(resnet.indexOf("s2.b1.add")).out()).isEqualTo(Shape.chw(32, 16, 16));
        assertThat(shapes.get(resnet.indexOf("s3.b3.add")).out()).isEqualTo(Shape.chw(64, 8, 8));
        assertThat(shapes.get(resnet.indexOf("avgpool")).out()).isEqualTo(Shape.chw(64, 1, 1));
    }
}
