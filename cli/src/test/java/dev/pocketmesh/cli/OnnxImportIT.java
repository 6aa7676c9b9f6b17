package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.DatasetLoader;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.onnx.OnnxExport;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import dev.pocketmesh.spec.JobSpec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own model as ONNX through the real mesh: a LeNet-5 trained outside the mesh is handed over as
 * {@code model: {onnx: ...}}; the baseline is the imported weights (no training), and the job prunes it to 2x fewer
 * FLOPs like a zoo model.
 */
class OnnxImportIT {
    private static final int LIMIT = 1200;
    private final MeshFixture fixture = MeshFixture.get();

    @TempDir
    Path runs;

    @Test
    void anImportedLenetIsCompressedFromItsOwnWeights() throws Exception {
        // Trained here, as a user would train theirs, on the split the job will use (same seed).
        JobSpec.Dataset dataset = new JobSpec.Dataset("idx", MeshFixture.FASHION_MNIST, LIMIT);
        DataSplits data = DatasetLoader.load(dataset, 5);
        NetSpec lenet = ModelZoo.lenet5();
        ModelTrainer.Result trained = ModelTrainer.train(lenet, null, data.train(), data.validation(),
                new TrainingConfig(2, 64, 0.05, "sgd", "cosine", 5e-4, 0.9, 5), new Device[] {Device.cpu()},
                (stats, weights) -> { });
        // Inside the mesh's data directory: job paths must lie under the orchestrator's allowed roots.
        Path onnx = fixture.mesh.home().resolve("data").resolve("my-lenet.onnx");
        Files.createDirectories(onnx.getParent());
        Files.write(onnx, OnnxExport.fp32(lenet, trained.weights()));

        Path jobFile = runs.resolve("job.yaml");
        Files.writeString(jobFile, MeshFixture.pruningJob("e2e-onnx-import", LIMIT, 2, "l1-norm")
                .replace("model: {zoo: lenet5}", "model: {onnx: " + onnx + "}"));
        int exit = PocketMeshCli.commandLine().execute("compress", jobFile.toString(), "--url",
                fixture.mesh.orchestratorUrl(), "--runs-dir", runs.toString(), "--timeout", "PT5M");
        assertThat(exit).isZero();
        String jobId = fixture.jobs.list(50).stream().filter(j -> "e2e-onnx-import".equals(j.name())).findFirst()
                .orElseThrow().jobId();

        JsonNode report = Json.tree(Files.readString(runs.resolve(jobId).resolve("report.json")));
        assertThat(report.path("status").asText()).isEqualTo("COMPLETED");
        // The baseline is the imported model itself, not retrained: its stored weights are the ONNX file's.
        Path baselineDir = Path.of(URI.create(report.path("baseline").path("artifactUri").asText())).getParent();
        ModelFiles baseline = ModelFiles.read(baselineDir);
        assertThat(baseline.spec().name()).isEqualTo("my-lenet");
        assertThat(baseline.weights().asMap()).isEqualTo(trained.weights().asMap());
        // A working classifier (10 classes: chance is 0.1); 0.64 in the last run.
        assertThat(report.path("baseline").path("metrics").path("testAccuracy").asDouble()).isGreaterThan(0.5);
        assertThat(report.path("ratios").path("flopsReduction").asDouble()).isGreaterThanOrEqualTo(2 * 0.99);
        assertThat(report.path("final").path("metrics").path("testAccuracy").asDouble()).isGreaterThan(0.5);
    }
}
