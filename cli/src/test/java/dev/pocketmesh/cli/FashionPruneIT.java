package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.state.TrialRecord;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real compression through the real mesh: LeNet-5 trained on a Fashion-MNIST subset by a worker, pruned with
 * reconstruction to at least 2x fewer FLOPs in every trial, fine-tuned, measured by the evaluator, reported.
 */
class FashionPruneIT {
    private final MeshFixture fixture = MeshFixture.get();

    @TempDir
    Path runs;

    @Test
    void lenetIsPrunedToTheFlopsTargetMeasuredAndReported() throws Exception {
        Path jobFile = runs.resolve("job.yaml");
        Files.writeString(jobFile, MeshFixture.pruningJob("e2e-fashion-prune", 1200, 2, "reconstruction"));
        int exit = PocketMeshCli.commandLine().execute("compress", jobFile.toString(), "--url",
                fixture.mesh.orchestratorUrl(), "--runs-dir", runs.toString(), "--timeout", "PT8M");
        assertThat(exit).isZero();
        String jobId = fixture.jobs.list(50).stream().filter(j -> "e2e-fashion-prune".equals(j.name())).findFirst()
                .orElseThrow().jobId();

        // Every search proposal met the FLOPs target, by the evaluator's count.
        List<TrialRecord> trials = fixture.trials.listForJob(jobId);
        List<TrialRecord> search = trials.stream().filter(t -> t.kind() == TrialKind.SEARCH).toList();
        assertThat(search).hasSize(2).allMatch(t -> t.state() == TrialState.EVALUATED);
        assertThat(search).allMatch(t -> t.metrics().get("flopsRatio") >= 2 * 0.99);

        JsonNode report = Json.tree(Files.readString(runs.resolve(jobId).resolve("report.json")));
        assertThat(report.path("status").asText()).isEqualTo("COMPLETED");
        JsonNode baseline = report.path("baseline").path("metrics");
        JsonNode fin = report.path("final").path("metrics");
        for (String metric : List.of("accuracy", "top5", "testAccuracy", "testTop5", "latencyMs", "latencyP90Ms",
                "flops", "params", "bytes")) {
            assertThat(baseline.path(metric).isNumber()).as("baseline " + metric).isTrue();
            assertThat(fin.path(metric).isNumber()).as("final " + metric).isTrue();
        }
        // The baseline really learned (10 classes: chance is 0.1), and the final model is a working classifier.
        assertThat(baseline.path("testAccuracy").asDouble()).isGreaterThan(0.6);
        assertThat(fin.path("testAccuracy").asDouble()).isGreaterThan(0.5);
        // Measured in ONNX Runtime from the exported model.onnx; DJL scores the same weights the same
        // (an image on a near-tie may flip at float rounding, hence a 0.2-point margin).
        for (JsonNode m : List.of(baseline, fin)) {
            assertThat(m.path("djlTestAccuracy").asDouble()).isCloseTo(m.path("testAccuracy").asDouble(),
                    org.assertj.core.data.Offset.offset(0.002));
        }
        // Baseline and final timed in one run by the evaluator; the ratios are in the report.
        assertThat(fin.path("baselineLatencyMs").asDouble()).isPositive();
        JsonNode ratios = report.path("ratios");
        assertThat(ratios.path("flopsReduction").asDouble()).isGreaterThanOrEqualTo(2 * 0.99);
        assertThat(ratios.path("bytesReduction").asDouble()).isGreaterThan(1.2);
        assertThat(ratios.path("paramsReduction").asDouble()).isGreaterThan(1.2);
        assertThat(ratios.has("latencyReduction")).isTrue();
        assertThat(ratios.has("accuracyChangePoints")).isTrue();
        assertThat(Files.readString(runs.resolve(jobId).resolve("report.md"))).contains("testAccuracy");

        // The final artifact is a physically smaller network: its own net.json, weights and ONNX export beside
        // the manifest; its bytes are the ONNX file's.
        URI manifest = URI.create(report.path("final").path("artifactUri").asText());
        Path dir = Path.of(manifest).getParent();
        NetSpec pruned = Json.read(Files.readString(dir.resolve("net.json")), NetSpec.class);
        NetSpec lenet = ModelZoo.lenet5();
        assertThat(CostModel.of(lenet).flops() / (double) CostModel.of(pruned).flops()).isGreaterThanOrEqualTo(1.98);
        assertThat(pruned.conv("conv2").orElseThrow().outChannels()).isLessThan(16);
        assertThat(Files.size(dir.resolve("model.onnx"))).isEqualTo((long) fin.path("bytes").asDouble());
        assertThat(Files.exists(dir.resolve("weights.npz"))).isTrue();
    }
}
