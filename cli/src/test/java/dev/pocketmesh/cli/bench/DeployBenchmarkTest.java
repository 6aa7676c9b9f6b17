package dev.pocketmesh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.nn.data.DatasetLoader;
import dev.pocketmesh.spec.JobSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A short run of {@code bench deploy}: four exports per network, each timed and sized as it is deployed. */
class DeployBenchmarkTest {

    @Test
    void everyVariantIsExportedTimedAndSmallerWhereItShouldBe() throws Exception {
        var data = DatasetLoader.load(new JobSpec.Dataset("idx", "/usr/share/datasets/fashion-mnist", 600), 1);
        DeployBenchmark.Report report = new DeployBenchmark(new DeployBenchmark.Settings(
                List.of("lenet5", "mobilenet-v1-0.25"), 1, 5, 20, 3), line -> { }).run(data);
        assertThat(report.rows()).hasSize(8);
        for (String model : List.of("lenet5", "mobilenet-v1-0.25")) {
            List<DeployBenchmark.Row> rows = report.rows().stream().filter(r -> r.model().equals(model)).toList();
            assertThat(rows).extracting(DeployBenchmark.Row::variant).containsExactlyElementsOf(DeployBenchmark.VARIANTS);
            assertThat(rows.get(0).speedup()).isEqualTo(1.0);
            assertThat(rows.get(1).flopsRatio()).isGreaterThanOrEqualTo(2.0);
            assertThat(rows.get(3).flopsRatio()).isEqualTo(rows.get(1).flopsRatio());
            // int8 weights: the export holds a byte per weight instead of four.
            assertThat(rows.get(2).onnxBytes()).isLessThan(rows.get(0).onnxBytes() / 2);
            assertThat(rows.get(3).onnxBytes()).isLessThan(rows.get(1).onnxBytes() / 2);
            rows.forEach(r -> assertThat(r.medianMs()).isPositive().isLessThanOrEqualTo(r.p90Ms()));
            // The latency model estimates the fp32 variants (its table holds fp32 pieces), not the int8 ones.
            assertThat(rows.get(0).estimatedMs()).isPositive();
            assertThat(rows.get(1).estimatedMs()).isPositive().isLessThan(rows.get(0).estimatedMs());
            assertThat(rows.get(2).estimatedMs()).isNull();
            // The profile shows how the runtime ran each graph: float convolutions for fp32, integer kernels only for
            // int8 (every conv's output is quantized, so none is left float behind a DequantizeLinear).
            assertThat(rows.get(0).operatorMicros().keySet()).noneMatch(op -> op.startsWith("QLinear"));
            for (DeployBenchmark.Row int8 : List.of(rows.get(2), rows.get(3))) {
                assertThat(int8.operatorMicros().keySet()).contains("QLinearConv")
                        .doesNotContain("Conv", "FusedConv", "DequantizeLinear");
            }
            rows.forEach(r -> assertThat(r.operatorMicros().values()).allMatch(us -> us >= 0));
        }
        assertThat(report.markdown()).contains("| lenet5 | pruned 2x + int8 |").contains("Latency model")
                .contains("Where the time goes");
        assertThat(report.latencyModelMedianErrorPct()).isFinite();
    }
}
