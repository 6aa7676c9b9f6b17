package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.infra.KafkaDistribution;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.spec.JobSpecParser;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job submitted by Kafka's own console producer — not our code — runs to completion, and its events can
 * be read with Kafka's own console consumer: the topics are a public interface.
 */
class ConsoleClientIT {
    private final MeshFixture fixture = MeshFixture.get();

    @TempDir
    Path dir;

    @Test
    void aJobFromKafkasConsoleProducerCompletesAndItsEventsAreReadableByTheConsoleConsumer() throws Exception {
        String jobId = "console-" + UUID.randomUUID().toString().substring(0, 8);
        String spec = Json.write(JobSpecParser.readTree(MeshFixture.simulatedJob("e2e-console", 3, 2, 100, 1, 8)));
        String bootstrap = fixture.mesh.kafkaBootstrap();

        Process producer = new ProcessBuilder(KafkaDistribution.javaCommand("org.apache.kafka.tools.ConsoleProducer",
                "--bootstrap-server", bootstrap, "--topic", Topics.JOBS_SUBMIT,
                "--property", "parse.key=true", "--property", "key.separator=|"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("producer.log").toFile()).start();
        try (Writer stdin = new OutputStreamWriter(producer.getOutputStream(), StandardCharsets.UTF_8)) {
            stdin.write(jobId + "|" + spec + "\n");
        }
        assertThat(producer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(producer.exitValue()).as(Files.readString(dir.resolve("producer.log"))).isZero();

        fixture.awaitCompleted(jobId, Duration.ofMinutes(2));

        Path out = dir.resolve("events.txt");
        Process consumer = new ProcessBuilder(KafkaDistribution.javaCommand(
                "org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", bootstrap,
                "--topic", Topics.JOBS_EVENTS, "--from-beginning", "--property", "print.key=true",
                "--property", "key.separator=|", "--timeout-ms", "15000"))
                .redirectErrorStream(false).redirectOutput(out.toFile())
                .redirectError(dir.resolve("consumer.log").toFile()).start();
        assertThat(consumer.waitFor(90, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(out).stream().filter(l -> l.startsWith(jobId + "|")).toList();
        assertThat(lines).anyMatch(l -> l.contains("\"state\":\"BASELINE\""));
        assertThat(lines).anyMatch(l -> l.contains("\"state\":\"SEARCHING\""));
        assertThat(lines).anyMatch(l -> l.contains("\"state\":\"COMPLETED\""));
    }
}
