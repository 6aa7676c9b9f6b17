package dev.pocketmesh.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaDistributionTest {

    @Test
    void findsKafkaDistByWalkingUpAndBuildsACommandLine() {
        Path libs = KafkaDistribution.libDir();
        assertThat(libs).endsWith(Path.of("kafka-dist", "target", "kafka-libs"));

        List<String> command = KafkaDistribution.javaCommand("kafka.Main", "a", "b");
        assertThat(command.get(0)).isEqualTo(KafkaDistribution.javaExecutable().toString());
        assertThat(command).contains("-cp", libs.resolve("*").toString())
                .anyMatch(s -> s.startsWith("-Xmx"))
                .endsWith("kafka.Main", "a", "b");
    }

    @Test
    void explicitDirectoryWithoutKafkaIsAClearError(@TempDir Path empty) {
        String previous = System.getProperty(KafkaDistribution.LIBS_PROPERTY);
        System.setProperty(KafkaDistribution.LIBS_PROPERTY, empty.toString());
        try {
            assertThatThrownBy(KafkaDistribution::libDir)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("./mvnw package");
        } finally {
            if (previous == null) {
                System.clearProperty(KafkaDistribution.LIBS_PROPERTY);
            } else {
                System.setProperty(KafkaDistribution.LIBS_PROPERTY, previous);
            }
        }
    }

    @Test
    void freePortsAreDistinct() {
        int[] ports = FreePorts.find(3);
        assertThat(ports).doesNotHaveDuplicates().doesNotContain(0);
        assertThat(Files.isDirectory(KafkaDistribution.libDir())).isTrue();
    }
}
