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
}
