package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quantization, sparsification, codebooks and a pipeline, each a real job through the real mesh on a Fashion-MNIST
 * subset: LeNet-5 trained by a worker, compressed, fine-tuned, measured by the evaluator from the stored file.
 */
class CompressionLearnersIT {
    private final MeshFixture fixture = MeshFixture.get();

    @TempDir
    Path runs;

    private JsonNode run(String name, String compression, int trials, String training) throws Exception {
        return run(name, compression, trials, 2, training);
    }

    private JsonNode run(String name, String compression, int trials, int parallelism, String training)
            throws Exception {
        Path jobFile = runs.resolve(name + ".yaml");
        Files.writeString(jobFile, """
                name: %s
                model: {zoo: lenet5}
                dataset: {format: idx, path: %s, limit: 1200}
                compression: %s
                search: {optimizer: random, trials: %d, parallelism: %d, seed: 3}
                training: {baselineEpochs: 2, batchSize: 64, learningRate: 0.01, %s}
                """.formatted(name, MeshFixture.FASHION_MNIST, compression, trials, parallelism, training));
        int exit = PocketMeshCli.commandLine().execute("compress", jobFile.toString(), "--url",
                fixture.mesh.orchestratorUrl(), "--runs-dir", runs.toString(), "--timeout", "PT6M");
        assertThat(exit).as(name).isZero();
        String jobId = fixture.jobs.list(100).stream().filter(j -> name.equals(j.name())).findFirst().orElseThrow()
                .jobId();
        JsonNode report = Json.tree(Files.readString(runs.resolve(jobId).resolve("report.json")));
        assertThat(report.path("status").asText()).isEqualTo("COMPLETED");
        System.out.println(name + " final: " + report.path("final").path("metrics") + "\n  ratios: " + report.path("ratios")
                + "\n  built: " + report.path("finalSummary"));
        return report;
    }

    private static List<JsonNode> searchTrials(JsonNode report) {
        List<JsonNode> out = new ArrayList<>();
        report.path("trials").forEach(t -> {
            if (TrialKind.SEARCH.name().equals(t.path("kind").asText())) {
                out.add(t);
            }
        });
        return out;
    }

    private static Path finalDirectory(JsonNode report) {
        return Path.of(java.net.URI.create(report.path("final").path("artifactUri").asText())).getParent();
    }

    @Test
    void mixedPrecisionQuantizationMeetsItsBitsAndStoresPackedIntegers() throws Exception {
        JsonNode report = run("e2e-mixed-qat", "{learner: uniform-quantization, params: {mode: qat, minBits: 3}, "
                + "target: {equivalentBits: 5}}", 2, "epochs: 1, finalEpochs: 1");
        for (JsonNode t : searchTrials(report)) {
            assertThat(t.path("metrics").path("equivalentBits").asDouble()).isLessThanOrEqualTo(5.0 + 1e-9);
        }
        JsonNode fin = report.path("final").path("metrics");
        assertThat(fin.path("equivalentBits").asDouble()).isLessThanOrEqualTo(5.0 + 1e-9);
        // ~5 bits per weight plus scales, against the baseline's float32 ONNX file.
        assertThat(report.path("ratios").path("bytesReduction").asDouble()).isGreaterThan(4.5);
        assertThat(fin.path("testAccuracy").asDouble()).isGreaterThan(
                report.path("baseline").path("metrics").path("testAccuracy").asDouble() - 0.05);
        Path dir = finalDirectory(report);
        assertThat(dir.resolve("weights.pmw")).exists();
        assertThat(dir.resolve("weights.npz")).doesNotExist();
        assertThat((long) fin.path("bytes").asDouble()).isEqualTo(Files.size(dir.resolve("weights.pmw")));
        assertThat(report.path("finalSummary").path("layerBits").size()).isEqualTo(5);
    }

    @Test
    void eightBitPostTrainingQuantizationNeedsNoTraining() throws Exception {
        JsonNode report = run("e2e-ptq", "{learner: uniform-quantization, params: {mode: ptq, calibration: kl}}", 1,
                "epochs: 1, finalEpochs: 1");
        assertThat(report.path("ratios").path("bytesReduction").asDouble()).isGreaterThan(3.5);
        assertThat(report.path("ratios").path("accuracyChangePoints").asDouble()).isGreaterThan(-2.0);
        assertThat(report.path("finalSummary").path("mode").asText()).isEqualTo("ptq");
    }

    @Test
    void gradualMagnitudePruningReachesItsSparsity() throws Exception {
        JsonNode report = run("e2e-sparse", "{learner: weight-sparsification, target: {sparsity: 0.75}, "
                + "params: {interval: 5}, distillation: {temperature: 4, weight: 0.5}}", 1,
                "epochs: 1, finalEpochs: 2");
        JsonNode fin = report.path("final").path("metrics");
        assertThat(fin.path("sparsity").asDouble()).isGreaterThanOrEqualTo(0.74);
        assertThat(report.path("ratios").path("bytesReduction").asDouble()).isGreaterThan(2.5);
        assertThat(report.path("finalSummary").path("distillation").path("temperature").asDouble()).isEqualTo(4.0);
    }

    @Test
    void codebookQuantizationStoresIndicesAndCentroids() throws Exception {
        JsonNode report = run("e2e-codebook", "{learner: nonuniform-quantization, params: {bits: 4}}", 1,
                "epochs: 1, finalEpochs: 1");
        JsonNode fin = report.path("final").path("metrics");
        assertThat(fin.path("equivalentBits").asDouble()).isEqualTo(4.0);
        assertThat(report.path("ratios").path("bytesReduction").asDouble()).isGreaterThan(6.0);
        assertThat(report.path("ratios").path("accuracyChangePoints").asDouble()).isGreaterThan(-10.0);
    }

    @Test
    void aPruneThenQuantizePipelineSearchedStageByStageMeetsBothTargetsAndReportsEachStage() throws Exception {
        JsonNode report = run("e2e-pipeline", """
                {pipeline: [{learner: channel-pruning, params: {minRatio: 0.3}}, \
                {learner: uniform-quantization, params: {mode: qat, minBits: 6}}], pipelineSearch: stage-by-stage, \
                target: {flopsRatio: 2, equivalentBits: 7}}""", 3, 1, "epochs: 1, finalEpochs: 1");
        List<JsonNode> search = searchTrials(report);
        for (JsonNode t : search) {
            assertThat(t.path("metrics").path("flopsRatio").asDouble()).isGreaterThanOrEqualTo(2 * 0.99);
            assertThat(t.path("metrics").path("equivalentBits").asDouble()).isLessThanOrEqualTo(7 * 1.01);
        }
        // Stage by stage, one trial at a time: trials 1-2 search the pruning ratios, trial 3 the bit widths with the
        // ratios of the more accurate of trials 1-2 held.
        java.util.function.IntFunction<JsonNode> trial = n -> search.stream()
                .filter(t -> t.path("number").asInt() == n).findFirst().orElseThrow();
        JsonNode better = trial.apply(1).path("metrics").path("accuracy").asDouble()
                >= trial.apply(2).path("metrics").path("accuracy").asDouble() ? trial.apply(1) : trial.apply(2);
        JsonNode third = trial.apply(3);
        better.path("config").fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("ratio.")) {
                assertThat(third.path("config").path(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
        });
        assertThat(third.path("config").has("bits.fc1")).isTrue();
        // 8-bit weights (~4x) of a network with fewer channels (how much fewer parameters depends on the layers the
        // search pruned: LeNet's parameters sit in fc1, its FLOPs in the convs).
        assertThat(report.path("ratios").path("bytesReduction").asDouble()).isGreaterThan(3.5);
        assertThat(report.path("ratios").path("accuracyChangePoints").asDouble()).isGreaterThan(-10.0);
        JsonNode stages = report.path("finalSummary").path("stages");
        assertThat(stages.size()).isEqualTo(2);
        assertThat(stages.get(0).path("learner").asText()).isEqualTo("channel-pruning");
        assertThat(stages.get(1).path("learner").asText()).isEqualTo("uniform-quantization");
        assertThat(stages.get(0).path("flopsRatio").asDouble()).isGreaterThanOrEqualTo(1.98);
        String markdown = Files.readString(runs.resolve(report.path("jobId").asText()).resolve("report.md"));
        assertThat(markdown).contains("### Stage 1: channel-pruning").contains("### Stage 2: uniform-quantization");
    }
}
