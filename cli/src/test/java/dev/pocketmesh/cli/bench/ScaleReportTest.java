package dev.pocketmesh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scale report's verdict: the target applies to levels up to the partition count only. */
class ScaleReportTest {
    private static ScaleBenchmark.Row row(int workers, double efficiency) {
        return new ScaleBenchmark.Row(workers, 100 * workers, 10, 10.0 * workers * efficiency, efficiency, 0.9, 20,
                100 * workers, 0, 0);
    }

    @Test
    void levelsBeyondThePartitionsDoNotCount() {
        ScaleBenchmark.Report report = new ScaleBenchmark.Report(List.of(row(1, 1.0), row(4, 0.93), row(8, 0.5)),
                200, 4, "test machine", Instant.EPOCH);
        assertThat(report.targetMet()).isTrue();
        assertThat(report.totalTrials()).isEqualTo(1300);
        assertThat(report.markdown()).contains("| 4 | 400 |").contains("0.93").contains("met");
    }

    @Test
    void oneLevelBelowTheTargetFailsIt() {
        ScaleBenchmark.Report report = new ScaleBenchmark.Report(List.of(row(1, 1.0), row(2, 0.89)), 200, 32,
                "test machine", Instant.EPOCH);
        assertThat(report.targetMet()).isFalse();
        assertThat(report.markdown()).contains("not met");
    }
}
