package dev.pocketmesh.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import dev.pocketmesh.state.TrialRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only a trial that meets the job's latency targets may become the final model. */
class MeasuredTargetTest {
    private static final JobSpec SPEC = new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), p -> true))
            .parse("""
                    name: t
                    model: {zoo: lenet5}
                    dataset: {format: synthetic}
                    compression: {learner: simulated, target: {flopsRatio: 1.2, latencyRatio: 2, latencyMs: 3}}
                    search: {trials: 3}
                    evaluation: {device: cpu-x86-1t}
                    """);

    private static TrialRecord trial(String id, int number, double accuracy, double latencyRatio, double latencyMs) {
        return new TrialRecord(id, "job", number, TrialKind.SEARCH, TrialState.EVALUATED, 1, "w", List.of(), Map.of(),
                null, Map.of("accuracy", accuracy, "flopsRatio", 1.5, "latencyRatio", latencyRatio, "latencyMs",
                        latencyMs), null, null, null, null, null);
    }

    @Test
    void aFasterLessAccurateTrialBeatsAMoreAccurateOneThatMissesTheLatencyTarget() {
        TrialRecord accurateButSlow = trial("slow", 1, 0.95, 1.5, 3.3);
        TrialRecord fastEnough = trial("fast", 2, 0.80, 2.1, 2.4);
        BestTrial best = BestTrial.of(List.of(accurateButSlow, fastEnough), SPEC).orElseThrow();
        assertThat(best.trial().trialId()).isEqualTo("fast");
        assertThat(JobLifecycle.missedMeasuredTarget(SPEC, best.trial())).isEmpty();
    }

    @Test
    void whenNoTrialMeetsTheLatencyTargetTheReasonNamesTargetProfileAndMeasurement() {
        TrialRecord slow = trial("slow", 1, 0.95, 1.5, 2.0);
        BestTrial best = BestTrial.of(List.of(slow), SPEC).orElseThrow();
        assertThat(JobLifecycle.missedMeasuredTarget(SPEC, best.trial())).get().asString()
                .contains("compression.target.latencyRatio >= 2.0").contains("'cpu-x86-1t'").contains("1.500")
                .doesNotContain("latencyMs");
    }
}
