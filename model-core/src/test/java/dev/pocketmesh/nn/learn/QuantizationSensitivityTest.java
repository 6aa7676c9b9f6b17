package dev.pocketmesh.nn.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.model.WeightLayers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantizationSensitivityTest {

    /** Divergence 2^(8 - bits) * scale: halves with every bit; 'fragile' layers have a large scale. */
    private static double[] row(double scale) {
        double[] r = new double[9];
        for (int b = 2; b <= 8; b++) {
            r[b] = scale * Math.pow(2, 8 - b);
        }
        return r;
    }

    @Test
    void theBudgetIsMetAndFragileLayersKeepMoreBits() {
        Map<String, double[]> table = new LinkedHashMap<>();
        table.put("robust", row(0.001));
        table.put("fragile", row(1.0));
        table.put("middle", row(0.05));
        QuantizationSensitivity.Table t = new QuantizationSensitivity.Table(table, 2, 8);
        List<WeightLayers.WeightLayer> layers = List.of(new WeightLayers.WeightLayer("robust", 1000),
                new WeightLayers.WeightLayer("fragile", 1000), new WeightLayers.WeightLayer("middle", 1000));
        Map<String, Integer> bits = QuantizationSensitivity.allocate(t, layers, 4.0);
        double mean = bits.values().stream().mapToInt(Integer::intValue).average().orElseThrow();
        assertThat(mean).isLessThanOrEqualTo(4.0);
        assertThat(bits.get("fragile")).isGreaterThan(bits.get("middle"));
        assertThat(bits.get("middle")).isGreaterThanOrEqualTo(bits.get("robust"));
        assertThat(t.mostSensitiveFirst(4)).containsExactly("fragile", "middle", "robust");
    }

    @Test
    void bigLayersGiveUpBitsFirstWhenEquallySensitive() {
        Map<String, double[]> table = new LinkedHashMap<>();
        table.put("big", row(0.1));
        table.put("small", row(0.1));
        QuantizationSensitivity.Table t = new QuantizationSensitivity.Table(table, 2, 8);
        Map<String, Integer> bits = QuantizationSensitivity.allocate(t, List.of(
                new WeightLayers.WeightLayer("big", 9000), new WeightLayers.WeightLayer("small", 1000)), 6.0);
        // Each bit taken from the big layer saves 9x the bits for the same added divergence.
        assertThat(bits.get("big")).isLessThan(bits.get("small"));
        assertThat((bits.get("big") * 9000.0 + bits.get("small") * 1000.0) / 10000).isLessThanOrEqualTo(6.0);
    }
}
