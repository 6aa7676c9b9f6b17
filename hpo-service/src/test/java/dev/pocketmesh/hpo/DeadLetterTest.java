package dev.pocketmesh.hpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.infra.MeshInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** Records that can never be applied go to the dead-letter topic, and the service carries on. */
@QuarkusTest
@QuarkusTestResource(value = MeshInfraTestResource.class, restrictToAnnotatedClass = false)
class DeadLetterTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final MeshClients mesh = MeshClients.get();

    @Test
    void malformedAndUnknownVersionCommandsAreDeadLetteredAndTheServiceKeepsWorking() {
        String marker = UUID.randomUUID().toString();
        String malformed = "{\"schemaVersion\":1,\"action\":\"START\", oops " + marker;
        String futureVersion = "{\"schemaVersion\":99,\"messageId\":\"" + marker + "-v99\",\"jobId\":\"j\","
                + "\"action\":\"CANCEL\"}";
        String unknownAction = "{\"schemaVersion\":1,\"messageId\":\"" + marker + "-act\",\"jobId\":\"j\","
                + "\"action\":\"EXPLODE\"}";
        mesh.send(Topics.STUDIES, "dlq-" + marker, malformed);
        mesh.send(Topics.STUDIES, "dlq-" + marker, futureVersion);
        mesh.send(Topics.STUDIES, "dlq-" + marker, unknownAction);

        String dlq = Topics.deadLetter(Topics.STUDIES);
        ConsumerRecord<String, String> dead = mesh.findRecord(dlq, r -> malformed.equals(r.value()), DEADLINE);
        assertThat(dead).as("malformed command on " + dlq).isNotNull();
        Header reason = dead.headers().lastHeader("dead-letter-reason");
        assertThat(reason).isNotNull();
        assertThat(new String(reason.value(), StandardCharsets.UTF_8)).containsIgnoringCase("malformed");
        assertThat(mesh.findRecord(dlq, r -> futureVersion.equals(r.value()), DEADLINE)).isNotNull();
        assertThat(mesh.findRecord(dlq, r -> unknownAction.equals(r.value()), DEADLINE)).isNotNull();

        // Same key, so same partition: the partition was not blocked by the bad records.
        String jobId = MeshClients.newJobId("after-dlq");
        mesh.send(Topics.STUDIES, "dlq-" + marker, "{\"schemaVersion\":1,\"messageId\":\"x\",\"jobId\":\"" + jobId
                + "\",\"action\":\"CANCEL\"}");
        mesh.start(jobId + "-2", MeshClients.spec(2, 2, 4));
        await().atMost(DEADLINE).until(() -> mesh.proposedNumbers(jobId + "-2").size() == 2);
    }
}
