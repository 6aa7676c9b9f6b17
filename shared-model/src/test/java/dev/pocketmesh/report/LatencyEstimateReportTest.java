package dev.pocketmesh.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.TrialRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The latency model's estimates made at proposal time, set beside the measurements in report.json and report.md. */
class LatencyEstimateReportTest {

    @Test
    void eachTrialShowsItsProposalEstimateAndErrorAndTheJobTheMedianAbsoluteError() {
        List<TrialRecord> trials = new ArrayList<>();
        trials.add(trial(0, TrialKind.BASELINE, TrialState.EVALUATED, null, 5.0));
        trials.add(trial(1, TrialKind.SEARCH, TrialState.EVALUATED, 2.2, 2.0)); // +10 %
        trials.add(trial(2, TrialKind.SEARCH, TrialState.EVALUATED, 1.6, 2.0)); // -20 %
        trials.add(trial(3, TrialKind.SEARCH, TrialState.EVALUATED, 4.2, 4.0)); // +5 %
        trials.add(trial(4, TrialKind.SEARCH, TrialState.EVALUATED, null, 3.0)); // proposed without an estimate
        trials.add(trial(5, TrialKind.SEARCH, TrialState.FAILED, 1.0, null)); // estimated, never measured
        JobReport report = JobReport.build(new JobRecord("j", "j", JobState.COMPLETED, null, null, null, null,
                Instant.now(), Instant.now()), trials);

        Map<String, Double> first = report.trials().get(0).metrics();
        assertThat(first.get(JobReport.PROPOSAL_ESTIMATE)).isEqualTo(2.2);
        assertThat(first.get(JobReport.PROPOSAL_ERROR)).isCloseTo(10.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(first.get("latencyMs")).isEqualTo(2.0); // the measurement itself is untouched
        assertThat(report.trials().get(3).metrics()).doesNotContainKeys(JobReport.PROPOSAL_ESTIMATE,
                JobReport.PROPOSAL_ERROR);
        assertThat(report.trials().get(4).metrics()).containsEntry(JobReport.PROPOSAL_ESTIMATE, 1.0)
                .doesNotContainKey(JobReport.PROPOSAL_ERROR);
        assertThat(report.baseline().metrics()).doesNotContainKey(JobReport.PROPOSAL_ESTIMATE);

        // |errors| 5, 10, 20: median 10, over the three trials that have both numbers.
        assertThat(report.latencyEstimate().trials()).isEqualTo(3);
        assertThat(report.latencyEstimate().medianAbsErrorPct()).isCloseTo(10.0,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Json.tree(Json.write(report)).path("latencyEstimate").path("trials").asInt()).isEqualTo(3);
        String md = ReportMarkdown.render(report);
        assertThat(md).contains("estimated ms at proposal | estimate error %")
                .contains("| j-t1 | EVALUATED | w1#1 | 0.8000 |  | 2 | 2.2000 | 10.0000 |")
                .contains("median absolute estimate error 10.0 % over 3 trials");
    }

    @Test
    void aJobWithoutEstimatesHasNoSummary() {
        JobReport report = JobReport.build(new JobRecord("j", "j", JobState.COMPLETED, null, null, null, null,
                Instant.now(), Instant.now()), List.of(trial(1, TrialKind.SEARCH, TrialState.EVALUATED, null, 2.0)));
        assertThat(report.latencyEstimate()).isNull();
        assertThat(ReportMarkdown.render(report)).doesNotContain("median absolute estimate error");
    }

    private static TrialRecord trial(int number, TrialKind kind, TrialState state, Double estimate, Double measured) {
        Map<String, Double> metrics = measured == null ? Map.of() : Map.of("accuracy", 0.8, "latencyMs", measured);
        TrialProposal proposal = TrialProposal.of("j", "j-t" + number, number, 1, kind, Map.of(), null)
                .withEstimatedLatencyMs(estimate);
        Instant at = Instant.now();
        return new TrialRecord("j-t" + number, "j", number, kind, state, 1, "w1", List.of("w1#1"), Map.of(), proposal,
                metrics, null, null, at, at, at);
    }
}
