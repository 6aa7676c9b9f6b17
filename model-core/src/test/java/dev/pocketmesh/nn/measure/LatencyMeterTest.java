package dev.pocketmesh.nn.measure;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.prune.RandomWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyMeterTest {
    @Test
    void aNetworkWithFarMoreComputeIsMeasuredSlower() {
        NetSpec small = ModelZoo.byName("lenet5", 1, 28, 28, 10);
        NetSpec large = ModelZoo.byName("vgg-small", 1, 28, 28, 10);
        try (LoadedModel a = LoadedModel.load(small, RandomWeights.of(small, 1), Device.cpu());
                LoadedModel b = LoadedModel.load(large, RandomWeights.of(large, 1), Device.cpu())) {
            // Interleaved runs, medians of 30: a loaded machine slows both alike.
            List<LatencyMeter.Latency> latency = LatencyMeter.measure(List.of(a, b), 5, 30, 1);
            assertThat(latency).hasSize(2);
            assertThat(latency.get(0).runs()).isEqualTo(30);
            assertThat(latency.get(0).medianMs()).isPositive();
            assertThat(latency.get(0).p90Ms()).isGreaterThanOrEqualTo(latency.get(0).medianMs());
            // vgg-small has ~1000x LeNet-5's FLOPs: no noise hides that.
            assertThat(latency.get(1).medianMs()).isGreaterThan(3 * latency.get(0).medianMs());
        }
    }

    @Test
    void percentilesInterpolate() {
        assertThat(dev.pocketmesh.stats.Quantiles.of(new double[] {1, 2, 3, 4, 5}, 0.5)).isEqualTo(3);
        assertThat(dev.pocketmesh.stats.Quantiles.of(new double[] {1, 2, 3, 4, 5}, 0.9)).isEqualTo(4.6, org.assertj.core.data.Offset.offset(1e-9));
    }
}
