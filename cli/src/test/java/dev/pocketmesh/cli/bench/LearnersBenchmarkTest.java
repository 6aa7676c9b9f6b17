package dev.pocketmesh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which rows a learners run measures (the training rows are what take hours). */
class LearnersBenchmarkTest {

    private static LearnersBenchmark.Settings settings(LearnersBenchmark.Distilled distilled) {
        return new LearnersBenchmark.Settings(List.of("resnet20"), List.of("qat8", "ptq8"), 6, 2, Map.of("qat8", 3),
                128, 0.05, 0.005, 4, 0.7, 4, null, null, 7, distilled, 8);
    }

    @Test
    void distillationSelectsTheRowsAndPostTrainingQuantizationHasNoDistilledRow() {
        var both = settings(LearnersBenchmark.Distilled.BOTH);
        assertThat(both.variants("qat8")).containsExactly(false, true);
        assertThat(both.variants("ptq8")).containsExactly(false);
        var on = settings(LearnersBenchmark.Distilled.ON);
        assertThat(on.variants("qat8")).containsExactly(true);
        assertThat(on.variants("ptq8")).isEmpty();
        var off = settings(LearnersBenchmark.Distilled.OFF);
        assertThat(off.variants("qat8")).containsExactly(false);
        assertThat(off.variants("ptq8")).containsExactly(false);
        assertThat(off.fineTuneEpochs("qat8")).isEqualTo(3);
        assertThat(off.fineTuneEpochs("ptq8")).isEqualTo(2);
    }

    @Test
    void theReportOmitsTheRowsTableWhenOnlyTheFallbackFrontRan() {
        var settings = settings(LearnersBenchmark.Distilled.BOTH);
        var point = new LearnersBenchmark.FallbackPoint("resnet20", 1, List.of("conv1"), 0.9272, 0.9270, 129_000,
                8.55, 1.41);
        String frontOnly = new LearnersBenchmark.Report(settings, "test machine", List.of(), List.of(point)).markdown();
        assertThat(frontOnly).doesNotContain("| method |").doesNotContain("written the same way")
                .contains("| resnet20 | 1 | [conv1] | 92.72 % | 92.70 % | 8.55x | 1.41x |");

        var row = new LearnersBenchmark.Row("resnet20", "sparse75", true, 0.928, 0.9245, 0.9245, 0.35, 1_106_221,
                1_016_051, 286_674, 3.86, 976, "global GMP");
        String withRow = new LearnersBenchmark.Report(settings, "test machine", List.of(row), List.of()).markdown();
        assertThat(withRow).contains("| method |").contains("| -0.35 | 3.86x | drop ≤ 0.5, bytes ÷ ≥ 2.5 | met |")
                .contains("the float model written the same way: resnet20 1.09x");
    }
}
