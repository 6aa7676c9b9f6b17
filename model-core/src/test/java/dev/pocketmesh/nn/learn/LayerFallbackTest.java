package dev.pocketmesh.nn.learn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.compress.BatchNormFolding;
import dev.pocketmesh.nn.compress.Calibration;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.compress.QuantScheme;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.data.Normalization;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.ModelTrainerTestData;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Label-free fallback ({@code keepFloat}): the layers most sensitive to quantization stay float. */
class LayerFallbackTest {
    private static final Device[] CPU = {Device.cpu()};

    @Test
    void theLayersKeptFloatAreTheMostSensitiveAtTheConfiguredWidthAndAreStoredFloat() throws Exception {
        NetSpec net = ModelZoo.lenet5(1, 12, 12, 4);
        ImageSet train = ModelTrainerTestData.quadrants(512, 1);
        ImageSet validation = ModelTrainerTestData.quadrants(200, 2);
        DataSplits data = new DataSplits(train, validation, validation, Normalization.identity(1));
        TrainingConfig config = new TrainingConfig(2, 32, 0.05, "sgd", "cosine", 5e-4, 0.9, 7);
        ModelFiles trained = new ModelFiles(net, ModelTrainer.train(net, null, train, validation, config, CPU,
                (s, w) -> { }).weights());
        int bits = 3;
        QuantizationRecipe.Settings settings = new QuantizationRecipe.Settings("ptq", bits, Map.of(), true, true,
                Calibration.PERCENTILE, 99.99, 128, 8, true, null, 2);

        QuantizationRecipe.Outcome out = QuantizationRecipe.run(trained, settings, data, config.withEpochs(0), CPU,
                null, (s, w) -> { });

        // The recipe measures only the configured width when it allocates nothing: the ranking must be the one a
        // measurement over every width gives at that width, on the same calibration sample.
        QuantizationSensitivity.Table everyWidth = QuantizationSensitivity.measure(
                BatchNormFolding.fold(net, trained.weights()), QuantizationRecipe.sample(train, 128, config.seed()),
                QuantScheme.MIN_BITS, QuantScheme.MAX_BITS);
        List<String> expected = everyWidth.mostSensitiveFirst(bits).subList(0, 2);
        assertThat(out.summary().get("floatLayers")).isEqualTo(expected);
        for (String layer : QuantizationRecipe.quantizedLayers(out.model().spec())) {
            EncodedTensor stored = out.model().packed().tensors().get(Weights.key(layer, Weights.WEIGHT));
            if (expected.contains(layer)) {
                assertThat(stored).as(layer).isInstanceOf(EncodedTensor.Dense.class);
            } else {
                assertThat(stored).as(layer).isInstanceOf(EncodedTensor.Quantized.class);
                assertThat(((EncodedTensor.Quantized) stored).scheme().bits()).isEqualTo(bits);
            }
        }
    }
}
