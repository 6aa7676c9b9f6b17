package dev.pocketmesh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The scale report's verdict (the target applies to levels up to the partition count only) and its measures. */
class ScaleReportTest {
    private static ScaleBenchmark.Row row(int workers, double efficiency) {
        return new ScaleBenchmark.Row(workers, 100 * workers, 10, 10.0 * workers * efficiency, efficiency, 0.9, 20,
                100 * workers, 0, 0, 3, 4, 1, 2, 1.0);
    }

    @Test
    void levelsBeyondThePartitionsDoNotCount() {
        ScaleBenchmark.Report report = new ScaleBenchmark.Report(List.of(row(1, 1.0), row(4, 0.93), row(8, 0.5)),
                200, 4, false, "test machine", Instant.EPOCH);
        assertThat(report.targetMet()).isTrue();
        assertThat(report.totalTrials()).isEqualTo(1300);
        assertThat(report.markdown()).contains("| 4 | 400 |").contains("0.93").contains("met");
    }

    @Test
    void oneLevelBelowTheTargetFailsIt() {
        ScaleBenchmark.Report report = new ScaleBenchmark.Report(List.of(row(1, 1.0), row(2, 0.89)), 200, 32,
                false, "test machine", Instant.EPOCH);
        assertThat(report.targetMet()).isFalse();
        assertThat(report.markdown()).contains("not met");
    }

    @Test
    void reportsHowOftenParallelTrialsHaveDistinctWorkers() {
        Map<Integer, String> owners = new TreeMap<>(Map.of(0, "w0", 1, "w1", 2, "w0", 3, "w1"));
        // Trials 1..5 on partitions 0, 1, 3, 2, 0: windows of 2 are (w0 w1) (w1 w1) (w1 w0) (w0 w0): 2, 1, 2, 1 of 2.
        int[] partitionOfTrial = {-1, 0, 1, 3, 2, 0};
        assertThat(ScaleBenchmark.distinctWorkers(partitionOfTrial, owners, 2)).isEqualTo(0.75);
        assertThat(ScaleBenchmark.distinctWorkers(partitionOfTrial, owners, 1)).isEqualTo(1.0);
        assertThat(ScaleBenchmark.roundUp(100, 32)).isEqualTo(128);
        assertThat(ScaleBenchmark.roundUp(160, 32)).isEqualTo(160);
    }

    @Test
    void markdownShowsTheSpreadColumns() {
        ScaleBenchmark.Report report = new ScaleBenchmark.Report(List.of(row(2, 1.0)), 200, 32, true,
                "test machine", Instant.EPOCH);
        assertThat(report.markdown()).contains("| 3-4 | 1-2 | 1.00 |").contains("one by one");
    }
}
