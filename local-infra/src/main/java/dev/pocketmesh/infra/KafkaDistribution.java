package dev.pocketmesh.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates the Kafka broker + tools classpath that the {@code kafka-dist} module lays out in
 * {@code kafka-dist/target/kafka-libs}, and builds command lines that run a Kafka main class on it
 * in a separate JVM (Kafka's Scala/server jars must never mix with an application classpath).
 */
public final class KafkaDistribution {

    /** System property naming the kafka-libs directory explicitly. */
    public static final String LIBS_PROPERTY = "pocketmesh.kafka.libs";
    /** Environment variable naming the kafka-libs directory explicitly. */
    public static final String LIBS_ENV = "POCKETMESH_KAFKA_LIBS";
    /** Where kafka-dist puts the jars, relative to the project root. */
    public static final String RELATIVE_LIBS = "kafka-dist/target/kafka-libs";

    /** JVM options for short-lived tools (console producer, topics...): small and quick to start. */
    public static final List<String> DEFAULT_TOOL_JVM_OPTIONS = List.of(
            "-Xmx256m",
            "-XX:+UseSerialGC",
            // C1 only: tools live for seconds; on 2 cores C2 compilation just competes for CPU.
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true");

    private KafkaDistribution() {
    }

    /**
     * The kafka-libs directory: system property {@value #LIBS_PROPERTY}, else environment variable
     * {@value #LIBS_ENV}, else the first {@value #RELATIVE_LIBS} found walking up from the working
     * directory (so it works from the project root and from any module directory).
     *
     * @throws IllegalStateException if none of these is a directory with the Kafka jars in it
     */
    public static Path libDir() {
        String configured = System.getProperty(LIBS_PROPERTY);
        String source = "system property " + LIBS_PROPERTY;
        if (isBlank(configured)) {
            configured = System.getenv(LIBS_ENV);
            source = "environment variable " + LIBS_ENV;
        }
        if (!isBlank(configured)) {
            Path dir = Path.of(configured).toAbsolutePath().normalize();
            if (!containsKafka(dir)) {
                throw new IllegalStateException(source + " points to " + dir
                        + ", which does not contain the Kafka jars (kafka_2.13-*.jar). "
                        + "Run `./mvnw package` in the project root to build kafka-dist.");
            }
            return dir;
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE_LIBS);
            if (containsKafka(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Kafka distribution not found: no " + RELATIVE_LIBS
                + " in " + cwd + " or any parent directory, and neither " + LIBS_PROPERTY
                + " nor " + LIBS_ENV + " is set. Run `./mvnw package` (or at least "
                + "`./mvnw -pl kafka-dist package`) in the project root first.");
    }

    /** The {@code java} launcher of the running JVM, so the child uses the same Java version. */
    public static Path javaExecutable() {
        boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
        return Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
    }

    /**
     * {@code [java, <tool JVM options>, -cp, <libDir>/*, mainClass, args...]} with
     * {@link #DEFAULT_TOOL_JVM_OPTIONS}; e.g.
     * {@code javaCommand("org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", b, "--topic", t)}.
     */
    public static List<String> javaCommand(String mainClass, String... args) {
        return javaCommand(DEFAULT_TOOL_JVM_OPTIONS, mainClass, args);
    }

    /** Same as {@link #javaCommand(String, String...)} with explicit JVM options. */
    public static List<String> javaCommand(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        // A classpath wildcard is expanded by the java launcher itself, so no shell is involved.
        command.add(libDir().resolve("*").toString());
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        return command;
    }

    private static boolean containsKafka(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("kafka_2.13-"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
