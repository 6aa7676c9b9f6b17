package dev.pocketmesh.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @TempDir
    Path workDir;

    @Test
    void producesConsumesAndKeepsTopicsAcrossRestart() throws Exception {
        int[] ports = FreePorts.find(2);
        String topic = "restart-test";

        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(workDir, ports[0], ports[1])) {
            System.out.printf("Kafka first start (incl. storage format): %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + ports[0]);
            assertThat(kafka.pid()).isEqualTo(kafka.process().pid());
            assertThat(kafka.isAlive()).isTrue();

            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            KafkaTestSupport.produce(kafka.bootstrapServers(), topic, "k", "before-restart");
            assertThat(KafkaTestSupport.consumeValues(kafka.bootstrapServers(), topic, 1, Duration.ofSeconds(30)))
                    .containsExactly("before-restart");
        }
        assertThat(Files.exists(workDir.resolve("data/meta.properties"))).isTrue();

        // Same directory, same ports: storage must not be re-formatted, data must survive.
        t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(workDir, ports[0], ports[1])) {
            System.out.printf("Kafka restart on existing data: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            try (Admin admin = admin(kafka)) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
                assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic).partitions()).hasSize(3);
            }
            assertThat(KafkaTestSupport.consumeValues(kafka.bootstrapServers(), topic, 1, Duration.ofSeconds(30)))
                    .containsExactly("before-restart");

            long t1 = System.nanoTime();
            kafka.close();
            System.out.printf("Kafka graceful stop: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
            assertThat(kafka.isAlive()).isFalse();
        }
        assertThat(Files.readString(workDir.resolve("kafka.log"))).contains("Kafka Server started");
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
