package dev.pocketmesh.evaluator;

import dev.pocketmesh.infra.TempArtifactRoot;
import dev.pocketmesh.infra.TopicRecorder;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.infra.MeshInfraTestResource;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.SimulatedLearner;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluator against a real Kafka and Redis. The test plays the trial worker (writes a manifest, produces
 * the evaluation request) and the result consumers (reads {@code pocketmesh.trials.results} and the dead
 * letters) with plain Kafka clients.
 */
@QuarkusTest
@QuarkusTestResource(value = MeshInfraTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(TempArtifactRoot.class)
class EvaluatorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REQUESTS = Topics.evaluations("cpu");
    private static final String SPEC = """
            {"name":"t","model":{"zoo":"lenet5"},"dataset":{"format":"synthetic"},
             "compression":{"learner":"simulated","params":{"sleepMs":0,"noise":0.01}},
             "search":{"optimizer":"random","trials":3,"parallelism":1,"seed":7},"training":{"epochs":2}}""";
    private static final Map<String, Object> CONFIG = Map.of("ratio.0", 0.4, "ratio.1", 0.9, "ratio.2", 0.55,
            "ratio.3", 1.0);

    private static KafkaProducer<String, String> producer;
    private static TopicRecorder recorder;

    @Inject
    ArtifactStore artifacts;
    @Inject
    dev.pocketmesh.state.EvaluatorRegistry evaluators;

    @BeforeAll
    static void clients() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, MeshInfraTestResource.kafkaBootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(props);
        recorder = new TopicRecorder(MeshInfraTestResource.kafkaBootstrap(),
                List.of(Topics.TRIALS_RESULTS, Topics.deadLetter(REQUESTS)));
    }

    @AfterAll
    static void close() throws InterruptedException {
        producer.close();
        recorder.close();
    }

    @Test
    void measuresACandidateAndReportsItEvaluated() {
        TrialProposal proposal = proposal(spec(), 5);
        EvaluationRequest request = EvaluationRequest.of(proposal, "cpu", writeManifest(proposal).toString(), "w1");
        produce(request);

        TrialResult result = resultOf(request);
        assertThat(result.state()).isEqualTo(TrialState.EVALUATED);
        assertThat(result.attempt()).isEqualTo(1);
        assertThat(result.trialNumber()).isEqualTo(5);
        assertThat(result.kind()).isEqualTo(TrialKind.SEARCH);
        assertThat(result.config()).isEqualTo(CONFIG);
        assertThat(result.artifactUri()).isEqualTo(request.artifactUri());
        assertThat(result.reportedBy()).isEqualTo("test-evaluator");
        assertThat(result.deviceProfile()).isEqualTo("cpu");
        assertThat(result.error()).isNull();
        Map<String, Double> expected = SimulatedLearner.measure(CONFIG, proposal.spec().compression().params(), 7, 5);
        assertThat(result.metrics()).containsAllEntriesOf(expected)
                .containsKeys("accuracy", "flopsRatio", "latencyMs", "bytes", "params");
        // The noise is seeded by trial number: another trial of the same configuration measures differently.
        assertThat(result.metrics().get("accuracy"))
                .isNotEqualTo(SimulatedLearner.measure(CONFIG, proposal.spec().compression().params(), 7, 6)
                        .get("accuracy"));
    }

    @Test
    void reportsAMissingArtifactAsFailed() {
        TrialProposal proposal = proposal(spec(), 1);
        URI uri = writeManifest(proposal);
        String missing = uri.toString().replace("manifest.json", "gone/manifest.json");
        EvaluationRequest request = EvaluationRequest.of(proposal, "cpu", missing, "w1");
        produce(request);

        TrialResult result = resultOf(request);
        assertThat(result.state()).isEqualTo(TrialState.FAILED);
        assertThat(result.error()).isEqualTo("artifact not found: " + missing);
        assertThat(result.metrics()).isNull();
        assertThat(result.reportedBy()).isEqualTo("test-evaluator");
    }

    @Test
    void reportsAnUnknownLearnerOrAWrongDeviceAsFailed() {
        JobSpec parsed = spec();
        JobSpec unknownLearner = new JobSpec(parsed.name(), parsed.model(), parsed.dataset(),
                new JobSpec.Compression("pruner-from-the-future", Map.of(), Map.of()), parsed.search(),
                parsed.training(), parsed.evaluation());
        TrialProposal proposal = proposal(unknownLearner, 1);
        EvaluationRequest request = EvaluationRequest.of(proposal, "cpu", writeManifest(proposal).toString(), "w1");
        produce(request);
        assertThat(resultOf(request).error()).contains("cannot measure learner 'pruner-from-the-future'");

        TrialProposal other = proposal(spec(), 1);
        EvaluationRequest misrouted = EvaluationRequest.of(other, "jetson", writeManifest(other).toString(), "w1");
        producer.send(new ProducerRecord<>(REQUESTS, misrouted.trialId(), Json.write(misrouted)));
        TrialResult result = resultOf(misrouted);
        assertThat(result.state()).isEqualTo(TrialState.FAILED);
        assertThat(result.error()).contains("'jetson'");
    }

    @Test
    void sendsUnreadableRequestsToTheDeadLetterTopicAndCarriesOn() {
        String key = "garbage-" + MessageIds.next();
        producer.send(new ProducerRecord<>(REQUESTS, key, "[1, 2"));
        TrialProposal proposal = proposal(spec(), 1);
        EvaluationRequest request = EvaluationRequest.of(proposal, "cpu", writeManifest(proposal).toString(), "w1");
        String noTrial = Json.write(request).replace("\"trialId\":\"" + request.trialId() + "\"", "\"trialId\":null");
        producer.send(new ProducerRecord<>(REQUESTS, request.trialId(), noTrial));

        ConsumerRecord<String, String> dead = recorder.awaitOne(Topics.deadLetter(REQUESTS), WAIT,
                r -> key.equals(r.key()));
        assertThat(dead.value()).isEqualTo("[1, 2");
        assertThat(dead.headers().lastHeader("dead-letter-reason")).isNotNull();
        ConsumerRecord<String, String> invalid = recorder.awaitOne(Topics.deadLetter(REQUESTS), WAIT,
                r -> request.trialId().equals(r.key()));
        assertThat(new String(invalid.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .contains("trialId");

        // Not blocked: the same request, whole, is evaluated afterwards.
        produce(request);
        assertThat(resultOf(request).state()).isEqualTo(TrialState.EVALUATED);
    }

    @Test
    void reportsItselfAndItsReadiness() {
        given().get("/api/evaluator").then().statusCode(200).body("evaluatorId", equalTo("test-evaluator"))
                .body("profile", equalTo("cpu")).body("learners", hasItem("simulated"))
                .body("settings.threads", equalTo(1)).body("settings.runtime", equalTo("onnxruntime"));
        // It announced itself for its profile (the orchestrator refuses jobs of profiles nobody serves).
        assertThat(evaluators.alive("cpu")).contains("test-evaluator");
        given().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItem("redis"));
    }

    private TrialResult resultOf(EvaluationRequest request) {
        ConsumerRecord<String, String> record = recorder.awaitOne(Topics.TRIALS_RESULTS, WAIT,
                r -> r.value().contains("\"" + request.trialId() + "\""));
        assertThat(record.key()).isEqualTo(request.jobId());
        TrialResult result = Json.read(record.value(), TrialResult.class);
        assertThat(result.trialId()).isEqualTo(request.trialId());
        assertThat(result.jobId()).isEqualTo(request.jobId());
        return result;
    }

    /** What the worker writes before it asks for an evaluation. */
    private URI writeManifest(TrialProposal proposal) {
        String dir = ArtifactStore.attemptDirectory(proposal.jobId(), proposal.trialId(), proposal.kind(), proposal.attempt());
        return artifacts.put(dir + "/manifest.json", Json.write(Map.of("trialId", proposal.trialId(), "attempt",
                proposal.attempt(), "learner", proposal.spec().compression().learner(), "config", proposal.config(),
                "workerId", "w1")).getBytes(StandardCharsets.UTF_8));
    }

    private void produce(EvaluationRequest request) {
        try {
            producer.send(new ProducerRecord<>(REQUESTS, request.trialId(), Json.write(request)))
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JobSpec spec() {
        return new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), p -> true)).parse(SPEC);
    }

    private static TrialProposal proposal(JobSpec spec, int trialNumber) {
        String jobId = MessageIds.newJobId();
        return TrialProposal.of(jobId, MessageIds.searchTrialId(jobId, trialNumber), trialNumber, 1,
                TrialKind.SEARCH, CONFIG, spec);
    }
}
