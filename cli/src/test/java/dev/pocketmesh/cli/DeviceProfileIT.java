package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.cli.client.OrchestratorClient;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.state.TrialRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device profiles through the real mesh: a job names the profile it is measured on, an evaluator started with that
 * profile measures it (with the profile's settings: one thread, batches 1 and 8), and a latency target decides which
 * trial may be the final model; the profile's latency table, timed up front for the job's search, estimates every
 * proposal before it is trained; the final model is also measured on a second profile by that profile's evaluator
 * ({@code evaluation.alsoMeasureOn}), a row per profile in the report; a job naming a profile nobody serves (primary
 * or extra) is refused at once, naming the field.
 */
class DeviceProfileIT {
    private static final String PROFILE = "cpu-x86-1t";
    /** The fixture's own evaluator's profile: the extra measurement costs no further evaluator process. */
    private static final String EXTRA = "cpu";
    private final MeshFixture fixture = MeshFixture.get();

    @TempDir
    Path runs;

    @Test
    void aProfileWithoutEvaluatorsIsRefusedAtOnceNamingTheField() {
        String yaml = MeshFixture.simulatedJob("e2e-no-evaluator", 2, 1, 0, 1, 3) + "evaluation: {device: cpu-x86-4t}\n";
        long start = System.nanoTime();
        OrchestratorClient.Submitted submitted = fixture.client.submit(yaml, null);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(submitted.accepted()).isFalse();
        assertThat(submitted.errors().toString()).contains("evaluation.device")
                .contains("no evaluator is running for device profile 'cpu-x86-4t'");
    }

    @Test
    void anExtraProfileWithoutEvaluatorsIsRefusedAtOnceNamingItsIndex() {
        String yaml = MeshFixture.simulatedJob("e2e-no-extra-evaluator", 2, 1, 0, 1, 3)
                + "evaluation: {device: cpu, alsoMeasureOn: [cpu-x86-4t]}\n";
        OrchestratorClient.Submitted submitted = fixture.client.submit(yaml, null);
        assertThat(submitted.accepted()).isFalse();
        assertThat(submitted.errors().toString()).contains("evaluation.alsoMeasureOn[0]")
                .contains("no evaluator is running for device profile 'cpu-x86-4t'");
    }

    @Test
    void aLatencyRatioJobMeasuredByTheCpuX86OneThreadEvaluatorCompletesAndIsAlsoMeasuredOnCpu() throws Exception {
        fixture.mesh.launchEvaluator(PROFILE);
        try {
            Path jobFile = runs.resolve("job.yaml");
            // Small and quick: the point is where the latency is measured and how the target decides, not accuracy.
            Files.writeString(jobFile, MeshFixture.pruningJob("e2e-latency-ratio", 300, 2, "l1-norm")
                    .replace("target: {flopsRatio: 2}", "target: {flopsRatio: 2, latencyRatio: 1.0}")
                    .replace("baselineEpochs: 2", "baselineEpochs: 1")
                    + "evaluation: {device: " + PROFILE + ", alsoMeasureOn: [" + EXTRA + "]}\n");
            int exit = PocketMeshCli.commandLine().execute("compress", jobFile.toString(), "--url",
                    fixture.mesh.orchestratorUrl(), "--runs-dir", runs.toString(), "--timeout", "PT5M");
            assertThat(exit).isZero();
            String jobId = fixture.jobs.list(50).stream().filter(j -> "e2e-latency-ratio".equals(j.name()))
                    .findFirst().orElseThrow().jobId();

            // Every search trial was timed against the baseline in one run: its speedup is the latencyRatio.
            List<TrialRecord> search = fixture.trials.listForJob(jobId).stream()
                    .filter(t -> t.kind() == TrialKind.SEARCH).toList();
            assertThat(search).hasSize(2).allMatch(t -> t.state() == TrialState.EVALUATED);
            for (TrialRecord t : search) {
                assertThat(t.metrics().get("latencyRatio"))
                        .isCloseTo(t.metrics().get("baselineLatencyMs") / t.metrics().get("latencyMs"),
                                org.assertj.core.data.Offset.offset(1e-9));
            }
            // Measuring the baseline, the evaluator timed the pieces of every network the job's search can propose
            // (NetAdapt's up-front table) before it reported the baseline, so the hpo-service screened every proposal
            // of this one job with an estimate: the one the evaluator makes of the trained candidate from the same
            // table, set beside the measurement.
            TrialRecord baseline = fixture.trials.listForJob(jobId).stream()
                    .filter(t -> t.kind() == TrialKind.BASELINE).findFirst().orElseThrow();
            assertThat(baseline.metrics().get("latencyGridPieces")).isGreaterThan(100.0);
            assertThat(baseline.metrics().get("latencyGridSkipped")).isZero();
            assertThat(Files.readString(Path.of(fixture.mesh.services().get("evaluator-" + PROFILE).logFile())))
                    .contains("latency grid of e2e-latency-ratio on " + PROFILE + ": "
                            + baseline.metrics().get("latencyGridPieces").intValue() + " pieces");
            for (TrialRecord t : search) {
                assertThat(t.proposal().estimatedLatencyMs()).as(t.trialId()).isNotNull()
                        .isCloseTo(t.metrics().get("estimatedLatencyMs"), org.assertj.core.data.Offset.offset(1e-9));
                System.out.printf("DeviceProfileIT %s: estimated at proposal %.4f ms, measured %.4f ms (%+.1f %%)%n",
                        t.trialId(), t.proposal().estimatedLatencyMs(), t.metrics().get("latencyMs"),
                        t.metrics().get("latencyModelErrorPct"));
            }
            System.out.printf("DeviceProfileIT baseline grid: %.0f pieces, %.0f timed in %.2f s%n",
                    baseline.metrics().get("latencyGridPieces"), baseline.metrics().get("latencyGridTimed"),
                    baseline.metrics().get("latencyGridSeconds"));

            JsonNode report = Json.tree(Files.readString(runs.resolve(jobId).resolve("report.json")));
            assertThat(report.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(report.path("deviceProfile").asText()).isEqualTo(PROFILE);
            assertThat(report.path("target").path("latencyRatio").asDouble()).isEqualTo(1.0);
            JsonNode fin = report.path("final").path("metrics");
            // The profile's settings: one thread, and a batch-8 latency beside batch 1 (the default profile has none).
            assertThat(fin.path("latencyThreads").asDouble()).isEqualTo(1.0);
            assertThat(fin.path("latencyBatch").asDouble()).isEqualTo(8.0);
            assertThat(fin.path("latencyBatchMs").asDouble()).isGreaterThan(fin.path("latencyMs").asDouble());
            // The target decides which trial may become the final model: the search trial it was built from met
            // latencyRatio 1.0 when measured. The final model is timed again, and a 25 µs network re-timed on a
            // shared machine moves by several percent, so its own ratio is only held to be near.
            Map<String, Object> finalConfig = fixture.trials.find(dev.pocketmesh.contracts.MessageIds
                    .finalTrialId(jobId)).orElseThrow().config();
            assertThat(search.stream().filter(t -> t.config().equals(finalConfig)).findFirst().orElseThrow()
                    .metrics().get("latencyRatio")).isGreaterThanOrEqualTo(1.0);
            assertThat(fin.path("latencyRatio").asDouble()).isGreaterThan(0.8);
            String markdown = Files.readString(runs.resolve(jobId).resolve("report.md"));
            assertThat(markdown).contains("Measured on device profile `" + PROFILE + "`");

            // The final model on each profile: the primary's row is the FINAL trial's measurement, the extra one
            // comes from the cpu evaluator (one thread, batch 1 only), timed against the baseline in its own run.
            JsonNode profiles = report.path("profiles");
            assertThat(profiles).hasSize(2);
            assertThat(profiles.get(0).path("profile").asText()).isEqualTo(PROFILE);
            assertThat(profiles.get(0).path("primary").asBoolean()).isTrue();
            assertThat(profiles.get(0).path("latencyMs").asDouble()).isEqualTo(fin.path("latencyMs").asDouble());
            assertThat(profiles.get(0).path("batch").asInt()).isEqualTo(8);
            JsonNode extra = profiles.get(1);
            assertThat(extra.path("profile").asText()).isEqualTo(EXTRA);
            assertThat(extra.path("state").asText()).isEqualTo("EVALUATED");
            assertThat(extra.path("measuredBy").asText()).isNotEqualTo("evaluator-" + PROFILE);
            assertThat(extra.path("threads").asInt()).isEqualTo(1);
            assertThat(extra.path("batch").asInt()).isEqualTo(1);
            for (JsonNode row : profiles) {
                assertThat(row.path("runtime").asText()).isEqualTo("onnxruntime (cpu)");
                assertThat(row.path("latencyMs").asDouble()).isPositive();
                assertThat(row.path("latencyP90Ms").asDouble()).isGreaterThanOrEqualTo(row.path("latencyMs").asDouble());
                assertThat(row.path("speedup").asDouble()).isPositive();
                // The same model in the same runtime: one test accuracy, whichever evaluator scored it.
                assertThat(row.path("accuracy").asDouble()).isEqualTo(fin.path("testAccuracy").asDouble());
            }
            // The extra measurement did not replace the primary one on the FINAL trial.
            TrialRecord finalTrial = fixture.trials.find(dev.pocketmesh.contracts.MessageIds.finalTrialId(jobId))
                    .orElseThrow();
            assertThat(finalTrial.metrics().get("latencyBatch")).isEqualTo(8.0);
            assertThat(markdown).contains("## Final model on each device profile").contains("| `" + PROFILE
                    + "` (primary) | EVALUATED |").contains("| `" + EXTRA + "` | EVALUATED |");

            assertThat(report.path("trials").get(0).path("metrics").has("proposalLatencyErrorPct")).isTrue();
            assertThat(report.path("latencyEstimate").path("trials").asInt()).isEqualTo(2);
            assertThat(fixture.client.report(jobId, true).orElseThrow())
                    .contains("median absolute estimate error").contains("over 2 trials");
            System.out.printf("DeviceProfileIT median absolute estimate error: %.1f %% over %d trials%n",
                    report.path("latencyEstimate").path("medianAbsErrorPct").asDouble(),
                    report.path("latencyEstimate").path("trials").asInt());
        } finally {
            fixture.mesh.stop("evaluator-" + PROFILE);
        }
    }
}
