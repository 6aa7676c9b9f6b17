package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad jobs sent through Kafka get a REJECTED event naming the field and land on the dead-letter topic; the
 * same through REST get HTTP 400 (the CLI exits 2 and prints the fields); a good job beside them completes.
 */
class BadInputIT {
    private final MeshFixture fixture = MeshFixture.get();

    @TempDir
    Path dir;

    @Test
    void badJobsOnKafkaAreRejectedDeadLetteredAndOtherJobsFinish() {
        String run = UUID.randomUUID().toString().substring(0, 6);
        String good = MeshFixture.simulatedJob("e2e-good", 3, 3, 100, 1, 3);
        Map<String, String> bad = Map.of(
                "bad-json-" + run, "{\"spec\": {\"name\": ",
                "bad-learner-" + run, good.replace("learner: simulated", "learner: alchemy"),
                "bad-trials-" + run, good.replace("trials: 3", "trials: -4"),
                "bad-path-" + run, good.replace("format: synthetic", "format: idx"));
        Map<String, String> expectedField = Map.of(
                "bad-json-" + run, "(document)",
                "bad-learner-" + run, "compression.learner",
                "bad-trials-" + run, "search.trials",
                "bad-path-" + run, "dataset.path");
        String goodId = "good-" + run;
        String bootstrap = fixture.mesh.kafkaBootstrap();
        bad.forEach((key, value) -> KafkaClients.produce(bootstrap, Topics.JOBS_SUBMIT, key,
                value.startsWith("{") ? value : Json.write(Map.of("spec", yamlToTree(value)))));
        KafkaClients.produce(bootstrap, Topics.JOBS_SUBMIT, goodId, Json.write(Map.of("spec", yamlToTree(good))));

        List<ConsumerRecord<String, String>> events = KafkaClients.readUntil(bootstrap, Topics.JOBS_EVENTS,
                seen -> bad.keySet().stream().allMatch(k -> rejection(seen, k) != null), Duration.ofMinutes(1));
        for (String key : bad.keySet()) {
            JsonNode event = rejection(events, key);
            assertThat(event.path("errors").findValuesAsText("field")).as(key).contains(expectedField.get(key));
        }

        List<ConsumerRecord<String, String>> dead = KafkaClients.readUntil(bootstrap,
                Topics.deadLetter(Topics.JOBS_SUBMIT),
                seen -> seen.stream().map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(bad.keySet()),
                Duration.ofMinutes(1));
        assertThat(dead).extracting(ConsumerRecord::key).doesNotContain(goodId);

        fixture.awaitCompleted(goodId, Duration.ofMinutes(2));
    }

    /**
     * Model-side mistakes (issue #3) are refused at intake with the field that is wrong: a network whose shapes do
     * not fit together, a dataset path that does not exist, labels outside the declared class count, a FLOPs
     * target no pruning can reach.
     */
    @Test
    void badModelJobsAreRejectedWithTheFieldThatIsWrong() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        String good = MeshFixture.pruningJob("e2e-model-bad", 600, 1, "l1-norm");
        // Inside the mesh's data directory: job paths must lie under the orchestrator's allowed roots.
        Path broken = fixture.mesh.home().resolve("data").resolve("broken-model-" + run);
        Files.createDirectories(broken);
        dev.pocketmesh.model.NetSpec lenet = dev.pocketmesh.model.ModelZoo.lenet5();
        String net = Json.write(lenet).replace("\"inChannels\":6", "\"inChannels\":7");
        assertThat(net).contains("\"inChannels\":7");
        Files.writeString(broken.resolve("net.json"), net);
        java.util.function.Function<String, String> compression = c -> good.replaceAll("(?s)compression: \\{.*?\\}\\}\n",
                "compression: " + c + "\n");
        Map<String, String> bad = Map.of(
                "bad-net-" + run, good.replace("{zoo: lenet5}", "{uri: " + broken.toUri() + "}"),
                "bad-data-path-" + run, good.replace(MeshFixture.FASHION_MNIST, "/nonexistent/fashion"),
                "bad-labels-" + run, good.replace("limit: 600}", "limit: 600, classes: 5}"),
                "bad-target-" + run, good.replace("flopsRatio: 2", "flopsRatio: 1000"),
                "bad-bits-" + run, compression.apply("{learner: uniform-quantization, params: {bits: 17}}"),
                "bad-sparsity-" + run, compression.apply("{learner: weight-sparsification, target: {sparsity: 1.5}}"),
                "bad-order-" + run, compression.apply(
                        "{pipeline: [{learner: uniform-quantization}, {learner: channel-pruning}]}"),
                "bad-bits-target-" + run, compression.apply(
                        "{learner: uniform-quantization, params: {minBits: 4}, target: {equivalentBits: 3}}"));
        Map<String, String> expected = Map.of(
                "bad-net-" + run, "model.uri",
                "bad-data-path-" + run, "dataset.path",
                "bad-labels-" + run, "dataset.classes",
                "bad-target-" + run, "compression.target.flopsRatio",
                "bad-bits-" + run, "compression.params.bits",
                "bad-sparsity-" + run, "compression.target.sparsity",
                "bad-order-" + run, "compression.pipeline",
                "bad-bits-target-" + run, "compression.target.equivalentBits");
        assertThat(bad.get("bad-bits-" + run)).contains("uniform-quantization").doesNotContain("channel-pruning");
        String bootstrap = fixture.mesh.kafkaBootstrap();
        bad.forEach((key, value) -> KafkaClients.produce(bootstrap, Topics.JOBS_SUBMIT, key,
                Json.write(Map.of("spec", yamlToTree(value)))));
        List<ConsumerRecord<String, String>> events = KafkaClients.readUntil(bootstrap, Topics.JOBS_EVENTS,
                seen -> bad.keySet().stream().allMatch(k -> rejection(seen, k) != null), Duration.ofMinutes(1));
        for (String key : bad.keySet()) {
            JsonNode event = rejection(events, key);
            assertThat(event.path("errors").findValuesAsText("field")).as(key).contains(expected.get(key));
        }
        assertThat(rejection(events, "bad-net-" + run).toString()).contains("conv2");
        assertThat(rejection(events, "bad-labels-" + run).toString()).contains("outside the 5 classes");
        assertThat(rejection(events, "bad-target-" + run).toString()).contains("cannot be met");
        assertThat(rejection(events, "bad-order-" + run).toString()).contains("channel-pruning must be the first stage");
        assertThat(rejection(events, "bad-bits-target-" + run).toString()).contains("cannot be met");
    }

    @Test
    void badJobsThroughRestAreRefusedWithTheirFields() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, MeshFixture.simulatedJob("e2e-rest-bad", 3, 1, 0, 1, 1)
                .replace("trials: 3", "trials: -1").replace("learner: simulated", "learner: nope"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true));
        int exit;
        try {
            exit = PocketMeshCli.commandLine().execute("submit", file.toString(), "--url",
                    fixture.mesh.orchestratorUrl());
        } finally {
            System.setErr(saved);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("search.trials").contains("compression.learner");
    }

    private static JsonNode rejection(List<ConsumerRecord<String, String>> events, String jobId) {
        for (ConsumerRecord<String, String> r : events) {
            JsonNode e = Json.tree(r.value());
            if (jobId.equals(e.path("jobId").asText()) && "REJECTED".equals(e.path("state").asText())) {
                return e;
            }
        }
        return null;
    }

    private static JsonNode yamlToTree(String yaml) {
        return dev.pocketmesh.spec.JobSpecParser.readTree(yaml);
    }
}
