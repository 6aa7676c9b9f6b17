package dev.pocketmesh.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) running as a child JVM on the
 * {@link KafkaDistribution} classpath. Never in-process: the broker's Scala and server jars must
 * not mix with an application's (e.g. Quarkus') classpath.
 *
 * <p>Everything lives in {@code workDir}: {@code server.properties}, {@code log4j2.properties},
 * the data in {@code data/}, and the broker's output in {@code kafka.log}. Starting again on the
 * same {@code workDir} keeps topics and records (storage is only formatted once).
 */
public final class EmbeddedKafka extends ChildProcess {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** How long {@link #start} waits for the broker to answer an admin request. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #close} waits for a graceful shutdown before killing the broker. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private static final String HOST = "127.0.0.1";

    private final Path workDir;
    private final int port;
    private final int controllerPort;

    private EmbeddedKafka(Path workDir, int port, int controllerPort, Process process,
                          boolean keepAliveAfterJvmExit) {
        super(process, STOP_TIMEOUT, "embedded-kafka-" + port, keepAliveAfterJvmExit);
        this.workDir = workDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Starts a broker that is stopped when this JVM exits (or on {@link #close()}). */
    public static EmbeddedKafka start(Path workDir, int port, int controllerPort) {
        return start(workDir, port, controllerPort, false);
    }

    /**
     * Starts a broker and waits until it serves admin requests.
     *
     * @param workDir               configuration, data and log directory (created if missing)
     * @param port                  PLAINTEXT client port on 127.0.0.1
     * @param controllerPort        KRaft controller port on 127.0.0.1
     * @param keepAliveAfterJvmExit true for a launcher whose JVM exits while the broker keeps
     *                              running (then only {@link #pid()} matters; stop it later with
     *                              {@link InfraProcesses#stop}); false to stop it at JVM exit
     * @throws IllegalStateException if the broker does not become ready (message has the log tail)
     */
    public static EmbeddedKafka start(Path workDir, int port, int controllerPort,
                                      boolean keepAliveAfterJvmExit) {
        Path dir = workDir.toAbsolutePath().normalize();
        long t0 = System.nanoTime();
        Process process;
        try {
            Files.createDirectories(dir);
            Path serverProperties = dir.resolve("server.properties");
            // Rewritten every time: ports may differ from a previous run on the same directory.
            Files.writeString(serverProperties, serverProperties(dir, port, controllerPort));
            Files.writeString(log4jConfig(dir), LOG4J2_PROPERTIES);
            if (!Files.exists(dataDir(dir).resolve("meta.properties"))) {
                formatStorage(dir, serverProperties);
            }
            List<String> command = KafkaDistribution.javaCommand(brokerJvmOptions(dir), "kafka.Kafka",
                    serverProperties.toString());
            process = InfraProcesses.launch(command, dir, logFile(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start Kafka in " + dir, e);
        }

        EmbeddedKafka kafka = new EmbeddedKafka(dir, port, controllerPort, process, keepAliveAfterJvmExit);
        try {
            kafka.awaitReady(STARTUP_TIMEOUT);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.info("Kafka {} ready in {} ms (pid {}, dir {})", kafka.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), process.pid(), dir);
        return kafka;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path workDir() {
        return workDir;
    }

    /** The broker's stdout + stderr (appended across restarts). */
    public Path logFile() {
        return logFile(workDir);
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", pid " + pid() + ", " + workDir + "]";
    }

    // --- start-up -------------------------------------------------------------------------------

    /** KRaft needs its storage formatted once with a cluster id before the first start. */
    private static void formatStorage(Path dir, Path serverProperties) throws IOException {
        List<String> command = KafkaDistribution.javaCommand(toolJvmOptions(dir), "kafka.tools.StorageTool",
                "format", "-t", Uuid.randomUuid().toString(), "-c", serverProperties.toString(),
                "--standalone");
        Process format = InfraProcesses.launch(command, dir, logFile(dir));
        try {
            if (!format.waitFor(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                format.destroyForcibly();
                throw new IllegalStateException("Formatting Kafka storage timed out; last lines of "
                        + logFile(dir) + ":\n" + InfraProcesses.tail(logFile(dir), 30));
            }
        } catch (InterruptedException e) {
            format.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while formatting Kafka storage", e);
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("Formatting Kafka storage failed (exit code "
                    + format.exitValue() + "); last lines of " + logFile(dir) + ":\n"
                    + InfraProcesses.tail(logFile(dir), 30));
        }
    }

    /**
     * Ready = the broker answers describeCluster with itself in it. The TCP port is polled first
     * so that the admin client does not log a connection warning every few milliseconds.
     */
    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!canConnect()) {
            checkStillStarting(deadline, null);
            sleep(100);
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "pocketmesh-kafka-readiness");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(props)) {
            Exception last = null;
            while (true) {
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000))
                            .nodes().get(6, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                }
                checkStillStarting(deadline, last);
                sleep(200);
            }
        }
    }

    private void checkStillStarting(long deadline, Exception lastError) {
        String problem = null;
        if (!isAlive()) {
            problem = "Kafka broker exited with code " + process().exitValue() + " during start-up";
        } else if (System.nanoTime() > deadline) {
            problem = "Kafka broker on " + bootstrapServers() + " was not ready within "
                    + STARTUP_TIMEOUT.toSeconds() + " s";
        }
        if (problem != null) {
            throw new IllegalStateException(problem + " (workDir " + workDir + "); last lines of "
                    + logFile() + ":\n" + InfraProcesses.tail(logFile(), 40), lastError);
        }
    }

    private boolean canConnect() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        }
    }

    // --- files and command lines ----------------------------------------------------------------

    private static Path dataDir(Path dir) {
        return dir.resolve("data");
    }

    private static Path logFile(Path dir) {
        return dir.resolve("kafka.log");
    }

    private static Path log4jConfig(Path dir) {
        return dir.resolve("log4j2.properties");
    }

    private static List<String> brokerJvmOptions(Path dir) {
        return List.of(
                // Modest on purpose: the mesh shares 2 cores with its services and tests.
                "-Xms64m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4jConfig(dir));
    }

    private static List<String> toolJvmOptions(Path dir) {
        List<String> options = new ArrayList<>(KafkaDistribution.DEFAULT_TOOL_JVM_OPTIONS);
        options.add("-Dlog4j2.configurationFile=" + log4jConfig(dir));
        return options;
    }

    private static String serverProperties(Path dir, int port, int controllerPort) {
        String ctl = HOST + ":" + controllerPort;
        return String.join("\n",
                "# Written by dev.pocketmesh.infra.EmbeddedKafka on every start.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=" + ctl,
                "listeners=PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + ctl,
                "advertised.listeners=PLAINTEXT://" + HOST + ":" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + escape(dataDir(dir).toString()),
                "# One node: every internal topic has exactly one replica.",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "min.insync.replicas=1",
                "# Fewer internal partitions than the default 50: much quicker first group join.",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.num.partitions=6",
                "num.partitions=6",
                "auto.create.topics.enable=true",
                "# Tests and local runs want consumers to get partitions immediately.",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    /** java.util.Properties syntax: a backslash (Windows paths) must be doubled. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }

    /** INFO to stdout, which {@link InfraProcesses#launch} appends to kafka.log. */
    private static final String LOG4J2_PROPERTIES = String.join("\n",
            "# Written by dev.pocketmesh.infra.EmbeddedKafka: everything goes to stdout = kafka.log.",
            "status = warn",
            "appender.stdout.type = Console",
            "appender.stdout.name = STDOUT",
            "appender.stdout.layout.type = PatternLayout",
            "appender.stdout.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            "# Full configuration dumps on every start and client connection are just noise here.",
            "logger.config.name = org.apache.kafka.common.config.AbstractConfig",
            "logger.config.level = WARN",
            "logger.request.name = kafka.request.logger",
            "logger.request.level = WARN",
            "logger.statechange.name = state.change.logger",
            "logger.statechange.level = WARN",
            "");
}
