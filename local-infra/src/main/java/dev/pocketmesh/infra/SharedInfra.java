package dev.pocketmesh.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka and one Redis per JVM, started lazily on first {@link #get()} in a temp directory with
 * free ports, and stopped (directory deleted) by a JVM shutdown hook. This is the single
 * implementation behind {@link MeshInfraTestResource} and {@link LocalInfraExtension}.
 *
 * <p>Sharing works across class loaders too (Quarkus may load this class more than once in one
 * JVM): whoever starts the servers publishes their addresses as the system properties
 * {@value #KAFKA_BOOTSTRAP_PROPERTY} and {@value #REDIS_URL_PROPERTY}, and every later
 * {@code get()} reuses them. Setting those properties up front (e.g. {@code -D...} on the test
 * JVM) points all tests at servers that are already running, such as the local-mode launcher's.
 */
public final class SharedInfra {

    private static final Logger LOG = LoggerFactory.getLogger(SharedInfra.class);

    /** Bootstrap servers of the shared (or externally provided) Kafka. */
    public static final String KAFKA_BOOTSTRAP_PROPERTY = "pocketmesh.infra.kafka.bootstrap-servers";
    /** URL of the shared (or externally provided) Redis. */
    public static final String REDIS_URL_PROPERTY = "pocketmesh.infra.redis.url";
    /** Set to {@code true} to keep the temp directory (data and logs) after the JVM exits. */
    public static final String KEEP_DIR_PROPERTY = "pocketmesh.infra.keep-dir";

    /**
     * A string literal is interned, i.e. one object per JVM whatever the class loader, so this
     * monitor serialises start-up even between copies of this class in different loaders.
     */
    private static final String JVM_WIDE_LOCK = "dev.pocketmesh.infra.SharedInfra#lock";

    private static SharedInfra instance;
    private static RuntimeException startFailure;

    private final String kafkaBootstrap;
    private final String redisUrl;

    private SharedInfra(String kafkaBootstrap, String redisUrl) {
        this.kafkaBootstrap = kafkaBootstrap;
        this.redisUrl = redisUrl;
    }

    /**
     * The JVM's shared infrastructure, starting it on first use (a few seconds for Kafka).
     *
     * @throws IllegalStateException if it could not be started (also on every later call, at once,
     *                               rather than each test class waiting for the same failure)
     */
    public static SharedInfra get() {
        synchronized (JVM_WIDE_LOCK) {
            if (instance == null) {
                if (startFailure != null) {
                    throw new IllegalStateException("Shared Kafka/Redis failed to start earlier in this JVM",
                            startFailure);
                }
                try {
                    instance = startOrReuse();
                } catch (RuntimeException e) {
                    startFailure = e;
                    throw e;
                }
            }
            return instance;
        }
    }

    /** {@code 127.0.0.1:<port>} of the shared Kafka. */
    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** {@code redis://127.0.0.1:<port>} of the shared Redis. */
    public String redisUrl() {
        return redisUrl;
    }

    @Override
    public String toString() {
        return "SharedInfra[kafka " + kafkaBootstrap + ", redis " + redisUrl + "]";
    }

    private static SharedInfra startOrReuse() {
        String kafka = System.getProperty(KAFKA_BOOTSTRAP_PROPERTY);
        String redis = System.getProperty(REDIS_URL_PROPERTY);
        if (kafka != null && redis != null) {
            return new SharedInfra(kafka, redis);
        }

        Path dir;
        try {
            dir = Files.createTempDirectory("pocketmesh-infra-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temp directory for Kafka/Redis", e);
        }
        EmbeddedRedis startedRedis = null;
        EmbeddedKafka startedKafka = null;
        try {
            if (redis == null) {
                startedRedis = EmbeddedRedis.start(dir.resolve("redis"), FreePorts.find());
                redis = startedRedis.url();
            }
            if (kafka == null) {
                int[] ports = FreePorts.find(2);
                startedKafka = EmbeddedKafka.start(dir.resolve("kafka"), ports[0], ports[1]);
                kafka = startedKafka.bootstrapServers();
            }
        } catch (RuntimeException e) {
            stop(startedKafka, startedRedis, dir);
            throw e;
        }

        // One hook for the pair, so the directory is only deleted after both have stopped. (Each
        // server also has its own hook; close() is idempotent and waits for a close in progress.)
        EmbeddedKafka k = startedKafka;
        EmbeddedRedis r = startedRedis;
        InfraProcesses.addShutdownHook("pocketmesh-shared-infra-shutdown", () -> stop(k, r, dir));

        System.setProperty(KAFKA_BOOTSTRAP_PROPERTY, kafka);
        System.setProperty(REDIS_URL_PROPERTY, redis);
        LOG.info("Shared test infrastructure: Kafka {}, Redis {} (in {})", kafka, redis, dir);
        return new SharedInfra(kafka, redis);
    }

    private static void stop(EmbeddedKafka kafka, EmbeddedRedis redis, Path dir) {
        if (kafka != null) {
            kafka.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (!Boolean.getBoolean(KEEP_DIR_PROPERTY)) {
            deleteRecursively(dir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort: it is a temp directory.
        }
    }
}
