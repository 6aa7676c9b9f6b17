package dev.pocketmesh.nn.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.train.ModelTrainerTestData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorQuantizationTest {
    private static NetSpec folded(NetSpec spec) {
        return BatchNormFolding.fold(spec, RandomWeights.of(spec, 1)).spec();
    }

    @Test
    void aResNetQuantizesItsStreamsTheBranchesItsAddsSumAndThePoolingInput() {
        // ResNet-8: stem, one block per stage, projection shortcuts into stages 2 and 3.
        assertThat(TensorQuantization.points(folded(ModelZoo.resnetCifar(8, 1, 12, 12, 4)))).containsExactly(
                "relu1", // the stem's output: read by s1.b1.conv1 and by the first Add
                "s1.b1.conv2", "s1.b1.relu2",
                "s2.b1.conv2", "s2.b1.shortcut.conv", "s2.b1.relu2",
                "s3.b1.conv2", "s3.b1.shortcut.conv", "s3.b1.relu2"); // the last one feeds the global pooling
    }

    @Test
    void aPlainChainNeedsOnlyThePoolingInputOrNothing() {
        // Every conv's output reaches the next conv through a ReLU: that conv's input quantization covers it.
        assertThat(TensorQuantization.points(folded(ModelZoo.mobilenetV1(0.25, 1, 12, 12, 4))))
                .containsExactly("b13.pw.relu");
        // ReLU, MaxPool and Flatten commute with quantization: LeNet-5's chain is covered from end to end.
        assertThat(TensorQuantization.points(folded(ModelZoo.lenet5(1, 12, 12, 4)))).isEmpty();
    }

    @Test
    void theSimulatedNetworkComputesWithQuantizedTensors() {
        NetSpec net = folded(ModelZoo.resnetCifar(8, 1, 12, 12, 4));
        ModelFiles model = new ModelFiles(net, BatchNormFolding.fold(ModelZoo.resnetCifar(8, 1, 12, 12, 4),
                RandomWeights.of(ModelZoo.resnetCifar(8, 1, 12, 12, 4), 1)).weights());
        ActivationQuant coarse = new ActivationQuant(3, 0.25f, 3);
        ImageSet images = ModelTrainerTestData.quadrants(8, 3);
        try (LoadedModel plain = LoadedModel.load(net, model.weights(), Device.cpu())) {
            for (String point : List.of("s2.b1.shortcut.conv", "s2.b1.relu2")) {
                try (LoadedModel quantized = LoadedModel.load(net, model.weights(), Map.of(), Map.of(point, coarse),
                        Device.cpu())) {
                    Tensor before = plain.outputOf(point, images, 8);
                    Tensor after = quantized.outputOf(point, images, 8);
                    for (int i = 0; i < after.data().length; i++) {
                        // The value the quantizer gives the float tensor: on the 3-bit grid.
                        assertThat(after.data()[i]).as(point).isEqualTo(coarse.apply(before.data()[i]));
                    }
                    assertThat(after.data()).as(point).isNotEqualTo(before.data());
                    // Later layers read the quantized tensor: the logits move.
                    assertThat(quantized.logits(images, 0, 8)).as(point).isNotEqualTo(plain.logits(images, 0, 8));
                }
            }
        }
        assertThatThrownBy(() -> LoadedModel.load(net, model.weights(), Map.of(), Map.of("nope", coarse),
                Device.cpu())).hasMessageContaining("nope");
    }
}
