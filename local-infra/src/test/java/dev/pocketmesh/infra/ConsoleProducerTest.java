package dev.pocketmesh.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Proves kafka-dist carries the tools jar and that javaCommand builds a runnable command line. */
@ExtendWith(LocalInfraExtension.class)
class ConsoleProducerTest {

    @Test
    void kafkasOwnConsoleProducerWritesALineAConsumerReads(SharedInfra infra, @TempDir Path dir) throws Exception {
        String topic = "console-producer-test";
        List<String> command = KafkaDistribution.javaCommand("org.apache.kafka.tools.ConsoleProducer",
                "--bootstrap-server", infra.kafkaBootstrap(), "--topic", topic);
        Path output = dir.resolve("console-producer.log");
        Process producer = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try (OutputStream stdin = producer.getOutputStream()) {
            stdin.write("hello from the console producer\n".getBytes(StandardCharsets.UTF_8));
        }
        // EOF on stdin makes the console producer flush and exit.
        assertThat(producer.waitFor(60, TimeUnit.SECONDS)).as("console producer exited").isTrue();
        assertThat(producer.exitValue()).as(java.nio.file.Files.readString(output)).isZero();

        assertThat(KafkaTestSupport.consumeValues(infra.kafkaBootstrap(), topic, 1, Duration.ofSeconds(30)))
                .containsExactly("hello from the console producer");
    }
}
