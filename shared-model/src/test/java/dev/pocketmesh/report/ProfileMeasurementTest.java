package dev.pocketmesh.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.TrialRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's per-profile table of the final model: the primary from the FINAL trial, each extra from its result. */
class ProfileMeasurementTest {
    private static final String JOB = "job-profiles";
    private static final JobSpec SPEC = new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), p -> true))
            .parse("""
                    name: profiles
                    model: {zoo: mlp}
                    dataset: {format: synthetic}
                    compression: {learner: simulated}
                    evaluation: {device: cpu-x86-1t, alsoMeasureOn: [cpu-x86-4t, cuda, cpu]}
                    """);

    @Test
    void aRowPerProfileThePrimaryFirstWithFailuresAndPendingOnesSaidSo() {
        TrialProposal fin = TrialProposal.of(JOB, MessageIds.finalTrialId(JOB), 1_000_000, 1, TrialKind.FINAL,
                Map.of(), SPEC);
        TrialRecord finalTrial = new TrialRecord(fin.trialId(), JOB, fin.trialNumber(), TrialKind.FINAL,
                TrialState.EVALUATED, 1, "worker-1", List.of(), Map.of(), fin,
                Map.of("latencyMs", 2.0, "latencyP90Ms", 2.5, "latencySpeedup", 1.5, "latencyThreads", 1.0,
                        "latencyBatch", 8.0, "latencyBatchMs", 9.0, "testAccuracy", 0.81, "accuracy", 0.8),
                "file:///a/final/attempt-1/manifest.json", null, Instant.now(), Instant.now(), Instant.now());
        EvaluationRequest on4t = EvaluationRequest.finalOnProfile(fin, "cpu-x86-4t", finalTrial.artifactUri(),
                "worker-1", "file:///a/baseline/attempt-1/manifest.json");
        assertThat(on4t.trialId()).isEqualTo(JOB + "-final-on-cpu-x86-4t");
        assertThat(MessageIds.extraProfileOf(JOB, on4t.trialId())).contains("cpu-x86-4t");
        assertThat(MessageIds.extraProfileOf(JOB, fin.trialId())).isEmpty();
        assertThat(MessageIds.extraProfileOf("other", on4t.trialId())).isEmpty();

        TrialResult measured4t = TrialResult.evaluated(on4t, Map.of("latencyMs", 0.7, "latencyP90Ms", 0.9,
                "latencySpeedup", 1.4, "latencyThreads", 4.0, "latencyBatch", 8.0, "testAccuracy", 0.81), "eval-4t");
        TrialResult failedCuda = TrialResult.failed(JOB, MessageIds.finalOnProfileId(JOB, "cuda"), 1_000_000, 1,
                TrialKind.FINAL, Map.of(), "measurement failed: no GPU", "eval-cuda");
        JobRecord job = new JobRecord(JOB, "profiles", JobState.FINALIZING, SPEC, "finalizing", null, null,
                Instant.now(), Instant.now());

        JobReport report = JobReport.build(job, List.of(finalTrial), null,
                Map.of("cpu-x86-4t", measured4t, "cuda", failedCuda));
        assertThat(report.profiles()).extracting(ProfileMeasurement::profile)
                .containsExactly("cpu-x86-1t", "cpu-x86-4t", "cuda", "cpu");
        assertThat(report.profiles()).extracting(ProfileMeasurement::state)
                .containsExactly("EVALUATED", "EVALUATED", "FAILED", ProfileMeasurement.PENDING);
        ProfileMeasurement primary = report.profiles().get(0);
        assertThat(primary.primary()).isTrue();
        assertThat(primary.latencyMs()).isEqualTo(2.0);
        assertThat(primary.batch()).isEqualTo(8);
        ProfileMeasurement fourThreads = report.profiles().get(1);
        assertThat(fourThreads.threads()).isEqualTo(4);
        assertThat(fourThreads.latencyP90Ms()).isEqualTo(0.9);
        assertThat(fourThreads.speedup()).isEqualTo(1.4);
        assertThat(fourThreads.runtime()).isEqualTo("onnxruntime (cpu)");
        assertThat(fourThreads.measuredBy()).isEqualTo("eval-4t");
        assertThat(report.profiles().get(2).error()).isEqualTo("measurement failed: no GPU");
        // The primary result stays the FINAL trial's: the extras do not replace it.
        assertThat(report.finalModel().metrics().get("latencyMs")).isEqualTo(2.0);

        JsonNode json = Json.tree(Json.write(report));
        assertThat(json.path("profiles").get(1).path("profile").asText()).isEqualTo("cpu-x86-4t");
        String md = ReportMarkdown.render(report);
        assertThat(md).contains("## Final model on each device profile")
                .contains("| `cpu-x86-1t` (primary) | EVALUATED | onnxruntime (cpu) | 1 | 8 | 2.0000 | 2.5000 | 9.0000 "
                        + "| 1.50x | 0.8100 |")
                .contains("| `cpu-x86-4t` | EVALUATED | onnxruntime (cpu) | 4 | 8 | 0.7000 | 0.9000 |")
                .contains("| `cuda` | FAILED |").contains("measurement failed: no GPU")
                .contains("| `cpu` | PENDING |");
    }

    @Test
    void aJobOnOneProfileHasNoTable() {
        JobRecord job = new JobRecord(JOB, "one", JobState.COMPLETED, new JobSpec(SPEC.name(), SPEC.model(),
                SPEC.dataset(), SPEC.compression(), SPEC.search(), SPEC.training(), new JobSpec.Evaluation("cpu")),
                "done", null, null, Instant.now(), Instant.now());
        JobReport report = JobReport.build(job, List.of());
        assertThat(report.profiles()).isEmpty();
        assertThat(Json.write(report)).doesNotContain("\"profiles\"");
        assertThat(Json.write(job.spec())).doesNotContain("alsoMeasureOn");
        assertThat(ReportMarkdown.render(report)).doesNotContain("each device profile");
    }
}
