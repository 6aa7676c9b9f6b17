package dev.pocketmesh.cli.mesh;

import dev.pocketmesh.infra.EmbeddedKafka;
import dev.pocketmesh.infra.EmbeddedRedis;
import dev.pocketmesh.infra.FreePorts;
import dev.pocketmesh.infra.InfraProcesses;
import dev.pocketmesh.messaging.TopicProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole mesh on one machine: a real Redis, a real KRaft Kafka broker and every service as a child
 * process of its own ({@code java -jar quarkus-run.jar}), exactly the jars a cluster runs. Used by
 * {@code pocketmesh up / compress / bench} and by the end-to-end tests, which kill and restart services.
 */
public final class LocalMesh implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    /** The serial collector: five JVMs share two cores. DJL never downloads anything (natives come in the jar). */
    private static final List<String> SERVICE_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xss512k",
            "-Dai.djl.offline=true");

    /** Where and how to start the mesh. Ports are on 127.0.0.1; {@code firstWorkerPort} 0 = any free port per worker. */
    public record Options(Path home, int kafkaPort, int kafkaControllerPort, int redisPort, int orchestratorPort,
            int hpoPort, int evaluatorPort, int firstWorkerPort, int workers, boolean keepRunningAfterExit,
            Map<String, String> serviceProperties) {

        /** The documented defaults of {@code pocketmesh up}. */
        public static Options defaults(Path home, int workers) {
            return new Options(home, 9092, 9093, 6379, 8080, 8081, 8082, 8090, workers, true, Map.of());
        }

        /** The same options with the given ports for Kafka (controller on the next port), Redis and the APIs. */
        public Options withPorts(int kafka, int redis, int orchestrator, int hpo) {
            return new Options(home, kafka, kafka + 1, redis, orchestrator, hpo, evaluatorPort, firstWorkerPort,
                    workers, keepRunningAfterExit, serviceProperties);
        }

        /** The same options, left running after this JVM exits or not. */
        public Options keepRunning(boolean keep) {
            return new Options(home, kafkaPort, kafkaControllerPort, redisPort, orchestratorPort, hpoPort,
                    evaluatorPort, firstWorkerPort, workers, keep, serviceProperties);
        }

        /** Free ports everywhere, stopped with the JVM: for tests and benchmarks beside a running mesh. */
        public static Options isolated(Path home, int workers, Map<String, String> serviceProperties) {
            int[] p = FreePorts.find(6);
            return new Options(home, p[0], p[1], p[2], p[3], p[4], p[5], 0, workers, false, serviceProperties);
        }
    }

    private final Options options;
    private final RepositoryLayout layout;
    private final Consumer<String> log;
    private final EmbeddedRedis redis;
    private final EmbeddedKafka kafka;
    private final Map<String, ServiceInfo> services = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    /** The per-service properties each service was launched with (a worker's id, an evaluator's profile). */
    private final Map<String, Map<String, String>> extras = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int nextWorkerPort;
    private int workerCount;

    private LocalMesh(Options options, RepositoryLayout layout, Consumer<String> log, EmbeddedRedis redis,
            EmbeddedKafka kafka) {
        this.options = options;
        this.layout = layout;
        this.log = log;
        this.redis = redis;
        this.kafka = kafka;
        this.nextWorkerPort = options.firstWorkerPort();
    }

    public static LocalMesh start(Options options, Consumer<String> log) {
        RepositoryLayout layout = RepositoryLayout.discover();
        layout.requireBuilt();
        requireFreePorts(options);
        System.setProperty(dev.pocketmesh.infra.KafkaDistribution.LIBS_PROPERTY, layout.kafkaLibs().toString());
        Path home = options.home().toAbsolutePath();
        try {
            Files.createDirectories(home.resolve("logs"));
            Files.createDirectories(home.resolve("artifacts"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log.accept("starting Redis on 127.0.0.1:" + options.redisPort());
        EmbeddedRedis redis = EmbeddedRedis.start(home.resolve("redis"), options.redisPort(),
                options.keepRunningAfterExit());
        EmbeddedKafka kafka;
        try {
            log.accept("starting Kafka (KRaft) on 127.0.0.1:" + options.kafkaPort());
            kafka = EmbeddedKafka.start(home.resolve("kafka"), options.kafkaPort(), options.kafkaControllerPort(),
                    options.keepRunningAfterExit());
            TopicProvisioner.ensureStandardTopics(kafka.bootstrapServers(), (short) 1);
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        LocalMesh mesh = new LocalMesh(options, layout, log, redis, kafka);
        try {
            if (!options.keepRunningAfterExit()) {
                Runtime.getRuntime().addShutdownHook(new Thread(mesh::close, "local-mesh-shutdown"));
            }
            List<ServiceInfo> started = new ArrayList<>();
            started.add(mesh.launch("orchestrator", ServiceKind.ORCHESTRATOR, options.orchestratorPort(), Map.of()));
            started.add(mesh.launch("hpo-service", ServiceKind.HPO, options.hpoPort(), Map.of()));
            started.add(mesh.launch("evaluator", ServiceKind.EVALUATOR, options.evaluatorPort(), Map.of()));
            for (int i = 0; i < options.workers(); i++) {
                started.add(mesh.launchWorker());
            }
            for (ServiceInfo s : started) {
                mesh.awaitReady(s);
            }
            if (options.keepRunningAfterExit()) {
                mesh.state().write();
            }
            return mesh;
        } catch (RuntimeException e) {
            mesh.close();
            throw e;
        }
    }

    /** Fails before anything starts, naming the option to change, if a port the mesh needs is taken. */
    private static void requireFreePorts(Options o) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("Redis (--redis-port)", o.redisPort());
        ports.put("Kafka (--kafka-port)", o.kafkaPort());
        ports.put("Kafka controller (--kafka-port + 1)", o.kafkaControllerPort());
        ports.put("orchestrator (--orchestrator-port)", o.orchestratorPort());
        ports.put("hpo-service (--hpo-port)", o.hpoPort());
        ports.put("evaluator", o.evaluatorPort());
        for (int i = 0; o.firstWorkerPort() > 0 && i < o.workers(); i++) {
            ports.put("worker-" + (i + 1), o.firstWorkerPort() + i);
        }
        List<String> taken = new ArrayList<>();
        ports.forEach((what, port) -> {
            if (!FreePorts.isFree(port)) {
                taken.add(port + " for " + what);
            }
        });
        if (!taken.isEmpty()) {
            throw new IllegalStateException("ports already in use: " + String.join(", ", taken)
                    + "; stop what uses them (another mesh? ./pocketmesh down) or choose other ports");
        }
    }

    /** Starts one more trial worker (named worker-1, worker-2, ...) and returns it once it is launched. */
    public ServiceInfo launchWorker() {
        workerCount++;
        String name = "worker-" + workerCount;
        int port = options.firstWorkerPort() > 0 ? nextWorkerPort++ : FreePorts.find();
        return launch(name, ServiceKind.WORKER, port, Map.of("pocketmesh.worker.id", name));
    }

    /**
     * Starts one more evaluator, named {@code evaluator-<profile>}, serving {@code profile} (its evaluations topic is
     * created first), and returns it once it is ready: a mesh that measures on more than the default profile.
     */
    public ServiceInfo launchEvaluator(String profile) {
        TopicProvisioner.ensure(kafka.bootstrapServers(), Map.of(
                dev.pocketmesh.contracts.Topics.evaluations(profile), dev.pocketmesh.contracts.Topics.TRIAL_PARTITIONS,
                dev.pocketmesh.contracts.Topics.deadLetter(dev.pocketmesh.contracts.Topics.evaluations(profile)), 1),
                (short) 1);
        String name = "evaluator-" + profile;
        ServiceInfo info = launch(name, ServiceKind.EVALUATOR, FreePorts.find(),
                Map.of("pocketmesh.evaluator.profile", profile, "pocketmesh.evaluator.id", name));
        awaitReady(info);
        return info;
    }

    /** Stops a service politely (SIGTERM: it withdraws from the mesh) and forgets it. */
    public void stop(String name) {
        Process process = processes.remove(name);
        if (process == null) {
            throw new IllegalArgumentException("no service " + name + "; have " + services.keySet());
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        services.remove(name);
        extras.remove(name);
        log.accept("stopped " + name + " (pid " + process.pid() + ")");
    }

    private ServiceInfo launch(String name, ServiceKind kind, int port, Map<String, String> extra) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.http.port", String.valueOf(port));
        props.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        props.put("pocketmesh.redis.url", redis.url());
        props.put("pocketmesh.artifacts.root", options.home().toAbsolutePath().resolve("artifacts").toString());
        props.put("pocketmesh.kafka.provision-topics", "false");
        props.putAll(options.serviceProperties());
        props.putAll(extra);
        List<String> command = new ArrayList<>();
        command.add(dev.pocketmesh.infra.KafkaDistribution.javaExecutable().toString());
        command.addAll(SERVICE_JVM_OPTIONS);
        command.add("-Xmx" + kind.heap());
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(layout.serviceJar(kind).toString());
        Path logFile = options.home().toAbsolutePath().resolve("logs/" + name + ".log");
        try {
            Process process = InfraProcesses.launch(command, options.home().toAbsolutePath(), logFile);
            ServiceInfo info = new ServiceInfo(name, kind, process.pid(), port, logFile.toString());
            services.put(name, info);
            processes.put(name, process);
            extras.put(name, extra);
            log.accept("started " + name + " (pid " + process.pid() + ", " + info.url() + ", log " + logFile + ")");
            return info;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until the service answers its readiness probe; fails with its log tail if it died or timed out. */
    public void awaitReady(ServiceInfo service) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(service.url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!InfraProcesses.isAlive(service.pid())) {
                throw new IllegalStateException(service.name() + " exited during start-up; log tail:\n"
                        + InfraProcesses.tail(Path.of(service.logFile()), 40));
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(250);
        }
        throw new IllegalStateException(service.name() + " not ready after " + READY_TIMEOUT.toSeconds()
                + " s; log tail:\n" + InfraProcesses.tail(Path.of(service.logFile()), 40));
    }

    /** Kills a service the hard way (SIGKILL), as a crash would: no shutdown hooks, no lease hand-back. */
    public void kill(String name) {
        Process process = processes.get(name);
        if (process == null) {
            throw new IllegalArgumentException("no service " + name + "; have " + services.keySet());
        }
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.accept("killed " + name + " (pid " + process.pid() + ")");
    }

    /**
     * Stops a service the polite way (SIGTERM), as Kubernetes does on scale-down: its shutdown hooks run (a trial
     * worker hands its running trial back). Waits up to {@code grace}, then kills it.
     */
    public void terminate(String name, java.time.Duration grace) {
        Process process = processes.get(name);
        if (process == null) {
            throw new IllegalArgumentException("no service " + name + "; have " + services.keySet());
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.accept("terminated " + name + " (pid " + process.pid() + ", exit " + (process.isAlive() ? "?"
                : process.exitValue()) + ")");
    }

    /** Starts a service again after {@link #kill} or {@link #terminate}, on its port, and waits until it is ready. */
    public ServiceInfo restart(String name) {
        ServiceInfo old = services.get(name);
        if (old == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        ServiceInfo fresh = launch(name, old.kind(), old.httpPort(), extras.getOrDefault(name, Map.of()));
        awaitReady(fresh);
        return fresh;
    }

    public MeshState state() {
        return new MeshState(options.home().toAbsolutePath().toString(), redis.pid(), redis.port(), kafka.pid(),
                kafka.port(), kafka.controllerPort(), List.copyOf(services.values()), Instant.now());
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    public String redisUrl() {
        return redis.url();
    }

    public String orchestratorUrl() {
        return "http://127.0.0.1:" + options.orchestratorPort();
    }

    public Map<String, ServiceInfo> services() {
        return Map.copyOf(services);
    }

    public Path home() {
        return options.home().toAbsolutePath();
    }

    /** Stops services first (they flush to Kafka and Redis), then Kafka, then Redis. */
    @Override
    public synchronized void close() {
        stop(state(), log);
        processes.clear();
        services.clear();
    }

    /** Stops a mesh from its saved state, possibly from another JVM than the one that started it. */
    public static void stop(MeshState state, Consumer<String> log) {
        List<Thread> stoppers = new ArrayList<>();
        for (ServiceInfo s : state.services()) {
            Thread t = new Thread(() -> {
                if (InfraProcesses.stop(s.pid(), STOP_GRACE)) {
                    log.accept("stopped " + s.name());
                }
            });
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (InfraProcesses.stop(state.kafkaPid(), Duration.ofSeconds(30))) {
            log.accept("stopped Kafka");
        }
        if (InfraProcesses.stop(state.redisPid(), Duration.ofSeconds(10))) {
            log.accept("stopped Redis");
        }
        MeshState.delete(Path.of(state.home()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
