package dev.pocketmesh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.nn.prune.ChannelCriterion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The prune-fashion table: batch 1 is the judged latency, the configured larger batch is reported beside it. */
class PruneFashionReportTest {
    private static final PruneFashionBenchmark.Settings SETTINGS = new PruneFashionBenchmark.Settings(
            List.of("lenet5"), 2.0, 8, 4, 128, 0.05, 0.01, ChannelCriterion.L1_NORM, 8, 1, 200, 32, null, 7);

    /** A row with the given latencies; FLOPs ratio 2.0 and an accuracy drop within target. */
    private static PruneFashionBenchmark.Row row(double base1, double pruned1, double baseN, double prunedN) {
        double flopsRatio = 2.0;
        return new PruneFashionBenchmark.Row("lenet5", 55000, 10000, 0.90, 0.899, 0.1, 800, 400, flopsRatio, 60000,
                30000, 240000, 120000, 2.0, base1, pruned1, base1 / pruned1, base1 / pruned1 / flopsRatio, baseN,
                prunedN, baseN / prunedN, baseN / prunedN / flopsRatio, 0.899, 10, 5, Map.of("conv1", 4));
    }

    @Test
    void bothBatchesAreShownWithTheirShareOfTheFlopsRatio() {
        var report = new PruneFashionBenchmark.Report(SETTINGS, "test machine",
                List.of(row(0.030, 0.022, 0.600, 0.450)));
        String md = report.markdown();
        assertThat(md).contains("| latency (batch 1, 1 thread) | speedup | latency (batch 32) | speedup at batch 32 |")
                .contains("| 0.030 → 0.022 ms | 1.36x (68 % of FLOPs ratio) | 0.600 → 0.450 ms | 1.33x (67 % of "
                        + "FLOPs ratio) |")
                .contains("median of 200 interleaved runs each at batch 1 and 50 at batch 32");
    }

    @Test
    void onlyTheBatchOneSpeedupIsJudged() {
        var slowAtBatch = new PruneFashionBenchmark.Report(SETTINGS, "m", List.of(row(0.030, 0.018, 0.600, 0.590)));
        var slowAtOne = new PruneFashionBenchmark.Report(SETTINGS, "m", List.of(row(0.030, 0.022, 0.600, 0.300)));
        assertThat(slowAtBatch.targetsMet()).isTrue();
        assertThat(slowAtOne.targetsMet()).isFalse();
        assertThat(slowAtOne.markdown()).contains("| met | NOT met |");
    }
}
