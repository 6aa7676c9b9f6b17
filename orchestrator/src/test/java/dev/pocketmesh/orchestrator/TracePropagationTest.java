package dev.pocketmesh.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * With tracing on, the trace a client starts when it submits a job goes on through Kafka headers: the baseline
 * proposal the orchestrator publishes for that job carries the client's trace id in its {@code traceparent} header,
 * so the services downstream (worker, evaluator) continue the same trace.
 */
@QuarkusTest
@TestProfile(ClusterModeProfile.class)
class TracePropagationTest {
    @Test
    void aSubmittedJobsProposalContinuesTheSubmittersTrace() {
        String jobId = Specs.uniqueId("traced");
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        ProducerRecord<String, String> submit = new ProducerRecord<>(Topics.JOBS_SUBMIT, jobId, Specs.SIMULATED);
        submit.headers().add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01")
                .getBytes(StandardCharsets.UTF_8));
        MeshKafka.producer().send(submit);

        ConsumerRecord<String, String> proposal = MeshKafka.await(Topics.TRIALS_PROPOSED,
                r -> MessageIds.baselineTrialId(jobId).equals(r.key()));
        Header traceparent = proposal.headers().lastHeader("traceparent");
        assertThat(traceparent).as("traceparent header on the proposal").isNotNull();
        assertThat(new String(traceparent.value(), StandardCharsets.UTF_8)).contains(traceId);
    }
}
