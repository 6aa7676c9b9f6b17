package dev.pocketmesh.hpo;

import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.StudyCommand;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.infra.MeshInfraTestResource;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.SimulatedLearner;
import dev.pocketmesh.messaging.TopicProvisioner;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The test's side of the mesh, with plain Kafka clients: it plays the orchestrator (study commands) and the
 * workers/evaluators (trial results), and taps every proposal the service publishes.
 */
final class MeshClients {
    private static MeshClients instance;

    private final String bootstrap;
    private final KafkaProducer<String, String> producer;
    private final Map<String, List<TrialProposal>> proposals = new ConcurrentHashMap<>();
    private final Map<String, Integer> proposalPartitions = new ConcurrentHashMap<>();

    private MeshClients(String bootstrap) {
        this.bootstrap = bootstrap;
        TopicProvisioner.ensureStandardTopics(bootstrap, (short) 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(p);
        Thread tap = new Thread(this::tapProposals, "test-proposal-tap");
        tap.setDaemon(true);
        tap.start();
    }

    static synchronized MeshClients get() {
        if (instance == null) {
            instance = new MeshClients(MeshInfraTestResource.kafkaBootstrap());
        }
        return instance;
    }

    static JobSpec spec(int trials, int parallelism, long seed) {
        return new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), p -> true)).parse("""
                {"name":"t","model":{"zoo":"lenet5"},"dataset":{"format":"synthetic"},
                 "compression":{"learner":"simulated","params":{"sleepMs":0}},
                 "search":{"optimizer":"random","trials":%d,"parallelism":%d,"seed":%d}}
                """.formatted(trials, parallelism, seed));
    }

    /** A simulated job of {@code epochs} epochs per trial, all proposed at once, stopped early by ASHA. */
    static JobSpec specWithAsha(int trials, int epochs, int reductionFactor, int graceTrials) {
        return new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), p -> true)).parse("""
                {"name":"t","model":{"zoo":"lenet5"},"dataset":{"format":"synthetic"},
                 "compression":{"learner":"simulated","params":{"sleepMs":0}},
                 "training":{"epochs":%d},
                 "search":{"optimizer":"random","trials":%d,"parallelism":%d,"seed":3,
                           "earlyStopping":{"minEpochs":1,"reductionFactor":%d,"graceTrials":%d}}}
                """.formatted(epochs, trials, trials, reductionFactor, graceTrials));
    }

    static String newJobId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    void start(String jobId, JobSpec spec) {
        send(Topics.STUDIES, jobId, Json.write(StudyCommand.start(jobId, spec, Map.of("accuracy", 0.9))));
    }

    void cancel(String jobId) {
        send(Topics.STUDIES, jobId, Json.write(StudyCommand.cancel(jobId)));
    }

    /** What an evaluator publishes after measuring the simulated candidate of this proposal. */
    static TrialResult evaluated(TrialProposal proposal) {
        Map<String, Double> metrics = SimulatedLearner.measure(proposal.config(), proposal.spec().compression().params(),
                proposal.spec().search().seed(), proposal.trialNumber());
        return TrialResult.evaluated(EvaluationRequest.of(proposal, "cpu", "file:///tmp/none", "test-worker"), metrics,
                "test-evaluator");
    }

    static TrialResult failed(TrialProposal proposal) {
        return TrialResult.failed(proposal.jobId(), proposal.trialId(), proposal.trialNumber(), proposal.attempt(),
                TrialKind.SEARCH, proposal.config(), "learner exploded (test)", "test-worker");
    }

    /** What a worker publishes after an epoch of this proposal's trial. */
    void sendProgress(TrialProposal proposal, int epoch, int totalEpochs, double accuracy) {
        send(Topics.TRIALS_PROGRESS, proposal.jobId(), Json.write(TrialProgress.of(proposal.jobId(),
                proposal.trialId(), proposal.attempt(), "test-worker", epoch, totalEpochs, Map.of("accuracy", accuracy))));
    }

    void sendResult(TrialResult result) {
        send(Topics.TRIALS_RESULTS, result.jobId(), Json.write(result));
    }

    /** Every proposal published for the job so far, in arrival order (duplicates included). */
    List<TrialProposal> proposals(String jobId) {
        return List.copyOf(proposals.getOrDefault(jobId, List.of()));
    }

    /** The partition of {@code pocketmesh.trials.proposed} the trial's (latest) proposal was published on. */
    int partitionOf(String trialId) {
        return proposalPartitions.get(trialId);
    }

    /** Distinct trial numbers proposed for the job. */
    List<Integer> proposedNumbers(String jobId) {
        return proposals(jobId).stream().map(TrialProposal::trialNumber).distinct().sorted().toList();
    }

    /** Reads a topic from the beginning until a record matches (or the deadline passes); null if none did. */
    ConsumerRecord<String, String> findRecord(String topic, Predicate<ConsumerRecord<String, String>> match,
            Duration deadline) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps("test-find-"))) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + deadline.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(r)) {
                        return r;
                    }
                }
            }
            return null;
        }
    }

    private void tapProposals() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps("test-tap-"))) {
            consumer.subscribe(List.of(Topics.TRIALS_PROPOSED));
            while (true) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    TrialProposal p = Json.read(r.value(), TrialProposal.class);
                    proposalPartitions.put(p.trialId(), r.partition());
                    proposals.computeIfAbsent(p.jobId(), k -> new CopyOnWriteArrayList<>()).add(p);
                }
            }
        }
    }

    private Properties consumerProps(String groupPrefix) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }
}
