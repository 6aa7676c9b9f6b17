package dev.pocketmesh.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.state.JobStore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** Jobs produced to pocketmesh.jobs.submit, as a user with Kafka's console producer or another service would. */
@QuarkusTest
class KafkaIntakeTest {
    @Inject
    JobStore jobs;

    @Test
    void badRecordsAreRejectedAndDeadLetteredWhileGoodJobsFlow() {
        String malformedKey = Specs.uniqueId("kafka-malformed");
        String invalidKey = Specs.uniqueId("kafka-invalid");
        String outsideKey = Specs.uniqueId("kafka-outside");
        String goodKey = Specs.uniqueId("kafka-good");
        MeshKafka.send(Topics.JOBS_SUBMIT, malformedKey, "{not json");
        MeshKafka.send(Topics.JOBS_SUBMIT, invalidKey, Specs.SIMULATED.replace("\"trials\":3", "\"trials\":-1"));
        MeshKafka.send(Topics.JOBS_SUBMIT, outsideKey, Specs.SIMULATED.replace("{\"format\":\"synthetic\"}",
                "{\"format\":\"idx\",\"path\":\"file:///etc/passwd\"}"));
        MeshKafka.send(Topics.JOBS_SUBMIT, goodKey, Specs.SIMULATED);

        JobEvent malformed = rejectedEvent(malformedKey);
        assertThat(malformed.errors()).extracting(FieldError::field).containsExactly("(document)");
        JobEvent invalid = rejectedEvent(invalidKey);
        assertThat(invalid.errors()).extracting(FieldError::field).contains("search.trials");
        // The invalid job is stored (with its reasons), so it can be looked up like any other.
        assertThat(jobs.find(invalidKey)).hasValueSatisfying(j -> {
            assertThat(j.state()).isEqualTo(JobState.REJECTED);
            assertThat(j.spec()).isNull();
            assertThat(j.errors()).extracting(FieldError::field).contains("search.trials");
        });

        // A dataset outside the configured roots: refused like any invalid field, and dead-lettered.
        assertThat(rejectedEvent(outsideKey).errors()).extracting(FieldError::field).containsExactly("dataset.path");
        assertThat(reason(MeshKafka.await(Topics.deadLetter(Topics.JOBS_SUBMIT), r -> outsideKey.equals(r.key()))))
                .contains("dataset.path").contains("outside the allowed roots");

        ConsumerRecord<String, String> dlqMalformed = MeshKafka.await(Topics.deadLetter(Topics.JOBS_SUBMIT),
                r -> malformedKey.equals(r.key()));
        assertThat(dlqMalformed.value()).isEqualTo("{not json");
        assertThat(reason(dlqMalformed)).contains("malformed");
        ConsumerRecord<String, String> dlqInvalid = MeshKafka.await(Topics.deadLetter(Topics.JOBS_SUBMIT),
                r -> invalidKey.equals(r.key()));
        assertThat(reason(dlqInvalid)).contains("search.trials");

        // The job produced right after the bad ones is unaffected.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/api/jobs/" + goodKey)
                .then().statusCode(200).body("job.state", equalTo("BASELINE")));
        MeshKafka.await(Topics.TRIALS_PROPOSED, r -> MessageIds.baselineTrialId(goodKey).equals(r.key()));
    }

    @Test
    void envelopeJobIdWinsAndARepeatedMessageIdIsAppliedOnce() {
        // One key for all three records: one partition, so they are handled in this order.
        String key = Specs.uniqueId("kafka-env");
        String first = Specs.uniqueId("env-first");
        String repeat = Specs.uniqueId("env-repeat");
        String last = Specs.uniqueId("env-last");
        String messageId = UUID.randomUUID().toString();
        MeshKafka.send(Topics.JOBS_SUBMIT, key, envelope(first, messageId));
        MeshKafka.send(Topics.JOBS_SUBMIT, key, envelope(repeat, messageId));
        MeshKafka.send(Topics.JOBS_SUBMIT, key, envelope(last, UUID.randomUUID().toString()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(
                () -> assertThat(jobs.find(last)).hasValueSatisfying(
                        j -> assertThat(j.state()).isEqualTo(JobState.BASELINE)));
        assertThat(jobs.find(first)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.BASELINE));
        assertThat(jobs.find(repeat)).as("a redelivered messageId creates nothing").isEmpty();
        assertThat(jobs.find(key)).as("the envelope's jobId wins over the key").isEmpty();
    }

    private static String envelope(String jobId, String messageId) {
        return "{\"schemaVersion\":1,\"messageId\":\"" + messageId + "\",\"jobId\":\"" + jobId + "\",\"spec\":"
                + Specs.SIMULATED + "}";
    }

    private static JobEvent rejectedEvent(String jobId) {
        ConsumerRecord<String, String> record = MeshKafka.await(Topics.JOBS_EVENTS, r -> jobId.equals(r.key())
                && r.value().contains("\"REJECTED\""));
        JobEvent event = Json.read(record.value(), JobEvent.class);
        assertThat(event.type()).isEqualTo(JobEvent.Type.STATE_CHANGED);
        assertThat(event.state()).isEqualTo(JobState.REJECTED);
        assertThat(event.jobId()).isEqualTo(jobId);
        return event;
    }

    private static String reason(ConsumerRecord<String, String> record) {
        Header header = record.headers().lastHeader("dead-letter-reason");
        assertThat(header).as("dead-letter-reason header").isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
