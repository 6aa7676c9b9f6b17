package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.cli.client.OrchestratorClient;
import dev.pocketmesh.cli.mesh.LocalMesh;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.StudyStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import redis.clients.jedis.JedisPooled;

/**
 * One real mesh per test JVM — Redis, a KRaft Kafka broker, orchestrator, hpo-service, evaluator and two
 * trial workers, each its own process started from the packaged jars — shared by the end-to-end tests.
 * Tests that kill a service restart it before they end, so the next test finds the mesh whole.
 */
final class MeshFixture {
    /** Short leases and session timeouts, so that a killed worker's trial moves on within seconds. */
    static final Map<String, String> FAST_FAILOVER = Map.of(
            "pocketmesh.lease.ttl", "3s",
            "pocketmesh.reaper.interval", "1s");

    private static MeshFixture instance;

    final LocalMesh mesh;
    final OrchestratorClient client;
    final JedisPooled redis;
    final JobStore jobs;
    final TrialStore trials;
    final StudyStore studies;

    private MeshFixture(LocalMesh mesh) {
        this.mesh = mesh;
        this.client = new OrchestratorClient(mesh.orchestratorUrl());
        this.redis = new JedisPooled(java.net.URI.create(mesh.redisUrl()));
        this.jobs = new JobStore(redis);
        this.trials = new TrialStore(redis);
        this.studies = new StudyStore(redis);
    }

    static synchronized MeshFixture get() {
        if (instance == null) {
            try {
                LocalMesh mesh = LocalMesh.start(LocalMesh.Options.isolated(
                        Files.createTempDirectory("pocketmesh-e2e-"), 2, FAST_FAILOVER), System.out::println);
                instance = new MeshFixture(mesh);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** A simulated job spec in YAML (random search). */
    static String simulatedJob(String name, int trials, int parallelism, int sleepMs, int epochs, long seed) {
        return simulatedJob(name, "random", trials, parallelism, sleepMs, epochs, seed);
    }

    /** A simulated job spec in YAML searched by {@code optimizer}. */
    static String simulatedJob(String name, String optimizer, int trials, int parallelism, int sleepMs, int epochs,
            long seed) {
        return """
                name: %s
                model: {zoo: lenet5}
                dataset: {format: synthetic}
                compression: {learner: simulated, params: {layers: 4, sleepMs: %d}, target: {flopsRatio: 1.2}}
                search: {optimizer: %s, trials: %d, parallelism: %d, seed: %d}
                training: {epochs: %d}
                """.formatted(name, sleepMs, optimizer, trials, parallelism, seed, epochs);
    }

    /** Where CI (and the README) install Fashion-MNIST: apt-get install -y dataset-fashion-mnist. */
    static final String FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

    /**
     * A small real channel-pruning job in YAML: LeNet-5 on a {@code limit}-image subset of Fashion-MNIST, one
     * baseline epoch, {@code trials} search trials of one fine-tuning epoch each, target 2x fewer FLOPs.
     */
    static String pruningJob(String name, int limit, int trials, String criterion) {
        if (!Files.isDirectory(java.nio.file.Path.of(FASHION_MNIST))) {
            throw new AssertionError("Fashion-MNIST is missing: apt-get install -y dataset-fashion-mnist");
        }
        return """
                name: %s
                model: {zoo: lenet5}
                dataset: {format: idx, path: %s, limit: %d}
                compression: {learner: channel-pruning, params: {criterion: %s, minRatio: 0.3, reconstructionSamples: 64},
                              target: {flopsRatio: 2}}
                search: {optimizer: random, trials: %d, parallelism: 2, seed: 5}
                training: {baselineEpochs: 2, epochs: 1, finalEpochs: 1, batchSize: 64, learningRate: 0.01}
                """.formatted(name, FASHION_MNIST, limit, criterion, trials);
    }

    String submit(String yaml) {
        OrchestratorClient.Submitted s = client.submit(yaml, null);
        if (!s.accepted()) {
            throw new AssertionError("job refused: " + s.errors());
        }
        return s.jobId();
    }

    /**
     * The first search trial of the job seen running on a worker (whichever worker: which one a proposal reaches
     * depends on how Kafka hashes its trial id over the partitions each worker holds).
     */
    TrialRecord awaitRunningSearchTrial(String jobId) {
        AtomicReference<TrialRecord> running = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (TrialRecord t : trials.listForJob(jobId)) {
                if (t.kind() == TrialKind.SEARCH
                        && t.state() == TrialState.RUNNING && t.workerId() != null
                        && t.startedAt() != null) {
                    running.set(t);
                    return true;
                }
            }
            return false;
        });
        return running.get();
    }

    /** Every search trial of the job EVALUATED, each counted once by the job and told once to the optimiser. */
    void assertSearchTrialsEvaluatedAndToldOnce(String jobId, int expected) {
        List<TrialRecord> search = trials.listForJob(jobId).stream()
                .filter(t -> t.kind() == TrialKind.SEARCH).toList();
        assertThat(search).hasSize(expected).allMatch(t -> t.state() == TrialState.EVALUATED);
        List<Observation> told = studies.observations(jobId);
        assertThat(told).hasSize(expected);
        assertThat(told).extracting(Observation::trialId).doesNotHaveDuplicates();
    }

    /** The other of the fixture's two workers. */
    static String otherWorker(String worker) {
        return "worker-1".equals(worker) ? "worker-2" : "worker-1";
    }

    JobRecord awaitTerminal(String jobId, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250))
                .until(() -> jobs.find(jobId).map(j -> j.state().isTerminal()).orElse(false));
        return jobs.find(jobId).orElseThrow();
    }

    JobRecord awaitCompleted(String jobId, Duration timeout) {
        JobRecord job = awaitTerminal(jobId, timeout);
        if (job.state() != JobState.COMPLETED) {
            throw new AssertionError("job " + jobId + " ended " + job.state() + ": " + job.message());
        }
        return job;
    }
}
