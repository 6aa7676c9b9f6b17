package dev.pocketmesh.cli.bench;

import dev.pocketmesh.contracts.Messages;
import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.infra.EmbeddedKafka;
import dev.pocketmesh.infra.EmbeddedRedis;
import dev.pocketmesh.infra.FreePorts;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.messaging.TopicProvisioner;
import dev.pocketmesh.messaging.TrialPartitioner;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.JedisPooled;

/**
 * Scale: how trial throughput grows with the number of trial workers. One embedded broker and one Redis; per level
 * (1, 2, 4, ... workers) a batch of simulated trials of fixed duration is proposed and run by that many lightweight
 * workers, threads in this process that follow the worker's protocol with the mesh's own code: they consume
 * {@code pocketmesh.trials.proposed} in the workers' group ({@code trial-workers}, one record per poll, cooperative
 * assignment, commit after handling), claim each attempt with a lease through {@link TrialStore}'s Lua scripts,
 * "train" for the simulated time, mark the attempt TRAINED and publish its {@link TrialResult} on
 * {@code pocketmesh.trials.results}. A collector applies results as the orchestrator does
 * ({@link TrialStore#complete}). Proposals are recorded and published as the hpo-service does: trial record first,
 * then the proposal keyed by trialId through {@link TrialPartitioner}, the hpo-service's {@code partitioner.class}.
 * What is left out is the learner and the evaluator's measurement, so that the mesh's own scaling shows.
 *
 * <p>The run checks itself: every proposed trial ends EVALUATED, claimed exactly once, its result applied exactly once
 * (a duplicate or a lost trial fails the run). Efficiency is throughput over (workers x one worker's throughput);
 * "balance" is how evenly the trials spread over the workers (mean over the busiest worker's count), which bounds
 * efficiency whatever the mesh does, since a partition belongs to one worker of the group. A level's trial count is
 * a multiple of the partition count, so that an even spread is possible; the levels divide the partitions (the
 * default 1 to 32 workers on 32), so Kafka can give every worker the same number of partitions. Each level also
 * reports how Kafka assigned the partitions (the fewest and most per worker) and how far a job's {@code workers}
 * consecutive trials, the ones it would run in parallel, have distinct workers.
 */
public final class ScaleBenchmark {
    public static final double TARGET_EFFICIENCY = 0.9;
    static final String GROUP = "trial-workers";
    static final int WARMUP_TRIALS = 40;

    private final List<Integer> workerCounts;
    private final int trialsPerWorker;
    private final int minTrials;
    private final int trialMs;
    private final int partitions;
    private final boolean joinOneByOne;
    private final Consumer<String> log;

    /**
     * @param joinOneByOne start each level's workers one at a time, each joining a settled group (as an autoscaler
     *                     adds them), instead of all at once
     */
    public ScaleBenchmark(List<Integer> workerCounts, int trialsPerWorker, int minTrials, int trialMs, int partitions,
            boolean joinOneByOne, Consumer<String> log) {
        this.workerCounts = workerCounts;
        this.trialsPerWorker = trialsPerWorker;
        this.minTrials = minTrials;
        this.trialMs = trialMs;
        this.partitions = partitions;
        this.joinOneByOne = joinOneByOne;
        this.log = log;
    }

    public Report run() throws IOException, InterruptedException {
        Path home = Files.createTempDirectory("pocketmesh-scale-");
        System.setProperty(dev.pocketmesh.infra.KafkaDistribution.LIBS_PROPERTY,
                dev.pocketmesh.cli.mesh.RepositoryLayout.discover().kafkaLibs().toString());
        try (EmbeddedRedis redis = EmbeddedRedis.start(home.resolve("redis"), FreePorts.find());
                EmbeddedKafka kafka = EmbeddedKafka.start(home.resolve("kafka"), FreePorts.find(), FreePorts.find());
                JedisPooled jedis = new JedisPooled(java.net.URI.create(redis.url()))) {
            Map<String, Integer> topics = new LinkedHashMap<>(Topics.standardTopics());
            topics.put(Topics.TRIALS_PROPOSED, partitions);
            TopicProvisioner.ensure(kafka.bootstrapServers(), topics, (short) 1);
            TrialStore store = new TrialStore(jedis);
            // Warm-up, not measured: the JIT compiles the path and the clients connect, so the one-worker row that
            // every efficiency is measured against is not inflated by start-up costs.
            log.accept("warm-up: 1 worker, " + WARMUP_TRIALS + " trials");
            level(kafka.bootstrapServers(), store, 1, WARMUP_TRIALS, null);
            List<Row> rows = new ArrayList<>();
            Double single = null;
            for (int workers : workerCounts) {
                int trials = roundUp(Math.max(minTrials, trialsPerWorker * workers), partitions);
                log.accept("level: " + workers + " workers, " + trials + " trials of " + trialMs + " ms");
                Row row = level(kafka.bootstrapServers(), store, workers, trials, single);
                if (single == null) {
                    single = row.trialsPerSecond();
                }
                log.accept(String.format(Locale.ROOT,
                        "  %.1f trials/s, efficiency %.2f, balance %.2f, overhead %.1f ms; trials per partition %d-%d, "
                                + "partitions per worker %d-%d, distinct workers of parallel trials %.2f",
                        row.trialsPerSecond(), row.efficiency(), row.balance(), row.overheadMsPerTrial(),
                        row.fewestTrialsPerPartition(), row.mostTrialsPerPartition(), row.fewestPartitionsPerWorker(),
                        row.mostPartitionsPerWorker(), row.distinctWorkers()));
                rows.add(row);
            }
            return new Report(rows, trialMs, partitions, joinOneByOne, BenchMachine.describe(), Instant.now());
        }
    }

    /** One level: start the workers, let them join, propose the batch, run it to the end and check it. */
    private Row level(String bootstrap, TrialStore store, int workers, int trials, Double single)
            throws InterruptedException {
        String jobId = "scale-w" + workers + "-" + MessageIds.newJobId();
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, AtomicInteger> claimsByTrial = new ConcurrentHashMap<>();
        Map<String, Integer> claimsByWorker = new ConcurrentHashMap<>();
        Map<String, Set<Integer>> assignment = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            String workerId = "scale-worker-" + (i + 1);
            Thread t = new Thread(() -> work(bootstrap, store, workerId, stop, claimsByTrial, claimsByWorker,
                    assignment), workerId);
            t.start();
            threads.add(t);
            if (joinOneByOne) {
                // As an autoscaler adds workers: each joins a settled group (the sticky assignor keeps blocks).
                awaitAssignment(assignment, Math.min(i + 1, partitions));
                Thread.sleep(1_000);
            }
        }
        // Measured from the first proposal, once the group has spread the partitions over every worker (or all of
        // them are taken, with more workers than partitions).
        awaitAssignment(assignment, Math.min(workers, partitions));
        Thread.sleep(500);
        Map<Integer, String> owners = new TreeMap<>();
        assignment.forEach((worker, owned) -> owned.forEach(partition -> owners.put(partition, worker)));
        log.accept("  worker of partition 0, 1, 2, ...: " + String.join(" ", owners.values().stream()
                .map(w -> w.substring(w.lastIndexOf('-') + 1)).toList()));

        Collector collector = new Collector(bootstrap, store, jobId, trials);
        Thread collecting = new Thread(collector, "scale-collector");
        collecting.start();
        collector.ready.await(60, TimeUnit.SECONDS);

        JobSpec spec = new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), path -> true)).parse("""
                name: %s
                model: {zoo: lenet5}
                dataset: {format: synthetic}
                compression: {learner: simulated, params: {sleepMs: %d}}
                search: {optimizer: random, trials: %d, parallelism: %d}
                """.formatted(jobId, trialMs, trials, Math.min(workers, 256)));
        int[] trialsPerPartition = new int[partitions];
        int[] partitionOfTrial = new int[trials + 1];
        long start = System.nanoTime();
        try (KafkaProducer<String, String> producer = proposalProducer(bootstrap)) {
            for (int n = 1; n <= trials; n++) {
                // What the hpo-service does for a new trial: record it in Redis, then publish it keyed by trial id.
                TrialProposal p = TrialProposal.of(jobId, MessageIds.searchTrialId(jobId, n), n, 1, TrialKind.SEARCH,
                        Map.of("n", n), spec);
                store.propose(p);
                producer.send(new ProducerRecord<>(Topics.TRIALS_PROPOSED, p.trialId(), Json.write(p)),
                        (metadata, e) -> {
                            if (e == null) {
                                synchronized (trialsPerPartition) {
                                    trialsPerPartition[metadata.partition()]++;
                                    partitionOfTrial[p.trialNumber()] = metadata.partition();
                                }
                            }
                        });
            }
        }
        boolean done = collector.done.await(Math.max(120, trials * (long) trialMs / 1000 * 3), TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        collector.stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        collecting.join(30_000);

        // The run's own check: nothing lost, nothing doubled.
        List<String> problems = new ArrayList<>();
        int evaluatedOnce = 0;
        for (TrialRecord t : store.listForJob(jobId)) {
            if (t.state() == TrialState.EVALUATED && t.attempts().size() == 1) {
                evaluatedOnce++;
            } else {
                problems.add(t.trialId() + " is " + t.state() + " after attempts " + t.attempts());
            }
        }
        int lost = trials - evaluatedOnce;
        int doubled = collector.duplicates.get();
        for (Map.Entry<String, AtomicInteger> claims : claimsByTrial.entrySet()) {
            if (claims.getValue().get() != 1) {
                doubled += claims.getValue().get() - 1;
                problems.add(claims.getKey() + " claimed " + claims.getValue().get() + " times");
            }
        }
        if (!done) {
            problems.add("only " + collector.applied.get() + " of " + trials + " results arrived");
        }
        if (lost != 0 || doubled != 0 || !problems.isEmpty()) {
            throw new IllegalStateException("scale run with " + workers + " workers: " + lost + " lost, " + doubled
                    + " doubled: " + problems.subList(0, Math.min(10, problems.size())));
        }

        double seconds = elapsed / 1e9;
        double perSecond = trials / seconds;
        int busiest = claimsByWorker.values().stream().mapToInt(Integer::intValue).max().orElse(trials);
        double balance = (double) trials / Math.min(workers, partitions) / busiest;
        // Time a trial spends in the mesh beyond its simulated training, averaged over the busiest worker's queue.
        double overheadMs = seconds * 1000 / busiest - trialMs;
        double efficiency = single == null ? 1.0 : perSecond / (single * workers);
        IntSummaryStatistics perPartition;
        double distinctWorkers;
        synchronized (trialsPerPartition) {
            perPartition = Arrays.stream(trialsPerPartition).summaryStatistics();
            distinctWorkers = distinctWorkers(partitionOfTrial, owners, Math.min(workers, partitions));
        }
        // From the assignment the level ran with (the workers' consumers have given their partitions up by now).
        IntSummaryStatistics perWorker = owners.values().stream()
                .collect(Collectors.groupingBy(w -> w, Collectors.counting()))
                .values().stream().mapToInt(Long::intValue).summaryStatistics();
        return new Row(workers, trials, seconds, perSecond, efficiency, balance, overheadMs, evaluatedOnce, lost,
                doubled, perPartition.getMin(), perPartition.getMax(), perWorker.getMin(), perWorker.getMax(),
                distinctWorkers);
    }

    /**
     * Over the runs of {@code window} consecutive trials (1 to {@code window}, 2 to {@code window + 1}, ...), the mean
     * share of distinct workers among their partitions' owners: 1 when a job running {@code window} trials in parallel
     * always has each of them trained by its own worker, 1 / {@code window} when all queue for one.
     *
     * @param partitionOfTrial the partition of trial n at index n (index 0 unused)
     * @param owners           the worker of each partition
     */
    static double distinctWorkers(int[] partitionOfTrial, Map<Integer, String> owners, int window) {
        int runs = partitionOfTrial.length - window;
        double shares = 0;
        for (int first = 1; first <= runs; first++) {
            Set<String> workers = new HashSet<>();
            for (int i = 0; i < window; i++) {
                workers.add(owners.get(partitionOfTrial[first + i]));
            }
            shares += (double) workers.size() / window;
        }
        return runs <= 0 ? 1.0 : shares / runs;
    }

    static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    /** Waits until every partition is assigned, to {@code owners} workers. */
    private void awaitAssignment(Map<String, Set<Integer>> assignment, int owners) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (assignment.values().stream().mapToInt(Set::size).sum() < partitions
                || assignment.values().stream().filter(a -> !a.isEmpty()).count() < owners) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the group did not assign every partition in 60 s: " + assignment);
            }
            Thread.sleep(50);
        }
    }

    /** One lightweight worker: the trial-worker's loop (ProposalConsumer + TrialRunner) with a simulated learner. */
    private void work(String bootstrap, TrialStore store, String workerId, AtomicBoolean stop,
            Map<String, AtomicInteger> claimsByTrial, Map<String, Integer> claimsByWorker,
            Map<String, Set<Integer>> assignment) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        long leaseMs = 3_000;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer()); KafkaProducer<String, String> producer = producer(bootstrap)) {
            consumer.subscribe(List.of(Topics.TRIALS_PROPOSED), new org.apache.kafka.clients.consumer
                    .ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> p) {
                    Set<Integer> mine = assignment.computeIfAbsent(workerId, k -> ConcurrentHashMap.newKeySet());
                    p.forEach(tp -> mine.remove(tp.partition()));
                }

                @Override
                public void onPartitionsAssigned(java.util.Collection<org.apache.kafka.common.TopicPartition> p) {
                    Set<Integer> mine = assignment.computeIfAbsent(workerId, k -> ConcurrentHashMap.newKeySet());
                    p.forEach(tp -> mine.add(tp.partition()));
                }
            });
            while (!stop.get()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    TrialProposal p = Messages.parse(record.value(), TrialProposal.class).requireRunnable();
                    if (store.claim(p.trialId(), p.attempt(), workerId, leaseMs) == TrialStore.ClaimOutcome.CLAIMED) {
                        claimsByTrial.computeIfAbsent(p.trialId(), k -> new AtomicInteger()).incrementAndGet();
                        claimsByWorker.merge(workerId, 1, Integer::sum);
                        sleep(trialMs); // the simulated learner
                        if (!store.renewLease(p.trialId(), p.attempt(), workerId, leaseMs)
                                || !store.markTrained(p.trialId(), p.attempt(), workerId, "file:///dev/null")) {
                            continue; // lost the lease: the trial is someone else's (never happens in this run)
                        }
                        TrialResult result = new TrialResult(TrialResult.SCHEMA_VERSION, MessageIds.next(),
                                p.jobId(), Instant.now(), p.trialId(), p.trialNumber(), p.attempt(), p.kind(),
                                TrialState.EVALUATED, p.config(), Map.of("accuracy", 0.5), null, null, workerId);
                        // Acked by the broker before the proposal is committed: at-least-once, as the worker does.
                        producer.send(new ProducerRecord<>(Topics.TRIALS_RESULTS, p.jobId(), Json.write(result)))
                                .get(30, TimeUnit.SECONDS);
                    }
                    consumer.commitSync();
                }
            }
        } catch (Exception e) {
            if (!stop.get()) {
                log.accept(workerId + " failed: " + e);
            }
        }
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(producerProperties(bootstrap), new StringSerializer(), new StringSerializer());
    }

    /** The hpo-service's proposal channel: its producer settings, {@link TrialPartitioner} included. */
    private static KafkaProducer<String, String> proposalProducer(String bootstrap) {
        Properties props = producerProperties(bootstrap);
        props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, TrialPartitioner.class.getName());
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static Properties producerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        return props;
    }

    /** Applies the job's results as the orchestrator does, once each; counts what a duplicate would change. */
    private static final class Collector implements Runnable {
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger applied = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        private final String bootstrap;
        private final TrialStore store;
        private final String jobId;
        private final int expected;

        Collector(String bootstrap, TrialStore store, String jobId, int expected) {
            this.bootstrap = bootstrap;
            this.store = store;
            this.jobId = jobId;
            this.expected = expected;
        }

        @Override
        public void run() {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "scale-collector-" + jobId);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(Topics.TRIALS_RESULTS));
                while (consumer.assignment().isEmpty()) {
                    consumer.poll(Duration.ofMillis(100));
                }
                consumer.seekToEnd(consumer.assignment());
                consumer.assignment().forEach(consumer::position);
                ready.countDown();
                while (!stop.get() && applied.get() < expected) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                        if (!jobId.equals(record.key())) {
                            continue;
                        }
                        TrialResult result = Messages.parse(record.value(), TrialResult.class).requireApplicable();
                        switch (store.complete(result)) {
                            case APPLIED -> applied.incrementAndGet();
                            case DUPLICATE -> duplicates.incrementAndGet();
                            default -> {
                            }
                        }
                    }
                }
                if (applied.get() >= expected) {
                    done.countDown();
                }
            }
        }
    }

    /**
     * @param efficiency        throughput over (workers x the one-worker level's throughput)
     * @param balance           mean trials per working worker over the busiest worker's count (1 = even spread)
     * @param overheadMsPerTrial per trial on the busiest worker, wall time beyond the simulated training
     * @param distinctWorkers   mean share of distinct workers among {@code workers} consecutive trials
     */
    public record Row(int workers, int trials, double seconds, double trialsPerSecond, double efficiency,
            double balance, double overheadMsPerTrial, int evaluatedOnce, int lost, int doubled,
            int fewestTrialsPerPartition, int mostTrialsPerPartition, int fewestPartitionsPerWorker,
            int mostPartitionsPerWorker, double distinctWorkers) {
    }

    public record Report(List<Row> rows, int trialMs, int partitions, boolean joinOneByOne, String machine,
            Instant when)
            implements BenchReport {
        @Override
        public String benchmark() {
            return "scale";
        }

        public int totalTrials() {
            return rows.stream().mapToInt(Row::trials).sum();
        }

        /** The target applies up to the partition count (more workers than partitions leaves some idle). */
        public boolean targetMet() {
            return rows.stream().filter(r -> r.workers() <= partitions)
                    .allMatch(r -> r.efficiency() >= TARGET_EFFICIENCY);
        }

        @Override
        public String markdown() {
            StringBuilder md = new StringBuilder();
            md.append(String.format(Locale.ROOT, "Simulated trials of %d ms on one embedded broker, `%s` with %d "
                    + "partitions, proposals placed by `TrialPartitioner` (as the hpo-service publishes them), "
                    + "%d trials in all after %d warm-up trials; workers joined the group %s; each level checked: "
                    + "every trial EVALUATED, claimed once, its result applied once.%n%n", trialMs,
                    Topics.TRIALS_PROPOSED, partitions, totalTrials(), WARMUP_TRIALS,
                    joinOneByOne ? "one by one (as an autoscaler adds them)" : "all at once"));
            md.append("| workers | trials | seconds | trials/s | efficiency vs linear | worker balance | "
                    + "trials per partition | partitions per worker | distinct workers of parallel trials | "
                    + "overhead per trial (ms) | lost | doubled |\n");
            md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : rows) {
                md.append(String.format(Locale.ROOT,
                        "| %d | %d | %.1f | %.1f | %.2f | %.2f | %s | %s | %.2f | %.1f | %d | %d |%n",
                        r.workers(), r.trials(), r.seconds(), r.trialsPerSecond(), r.efficiency(), r.balance(),
                        range(r.fewestTrialsPerPartition(), r.mostTrialsPerPartition()),
                        range(r.fewestPartitionsPerWorker(), r.mostPartitionsPerWorker()), r.distinctWorkers(),
                        r.overheadMsPerTrial(), r.lost(), r.doubled()));
            }
            md.append(String.format(Locale.ROOT, "%nTarget: efficiency >= %.1f up to the partition count: %s. "
                    + "Machine: %s. Run %s.%n", TARGET_EFFICIENCY, targetMet() ? "met" : "not met", machine, when));
            return md.toString();
        }

        private static String range(int fewest, int most) {
            return fewest == most ? String.valueOf(fewest) : fewest + "-" + most;
        }
    }
}
