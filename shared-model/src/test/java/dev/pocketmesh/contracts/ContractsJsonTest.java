package dev.pocketmesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContractsJsonTest {
    private final JobSpec spec = new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), p -> true)).parse(
            "{name: a, model: {zoo: mlp}, dataset: {format: synthetic}, compression: {learner: simulated}}");

    @Test
    void everyMessageRoundTrips() {
        TrialProposal proposal = TrialProposal.of("job-1", "job-1-t0001", 1, 1, TrialKind.SEARCH,
                Map.of("ratio.0", 0.5), spec);
        EvaluationRequest request = EvaluationRequest.of(proposal, "cpu", "file:///tmp/a", "w1");
        List<Message> messages = List.of(proposal, request,
                TrialResult.evaluated(request, Map.of("accuracy", 0.9), "e1"),
                TrialResult.failed("job-1", "job-1-t0002", 2, 1, TrialKind.SEARCH, Map.of(), "boom", "w1"),
                TrialProgress.of("job-1", "job-1-t0001", 1, "w1", 1, 3, Map.of("accuracy", 0.5)),
                StudyCommand.start("job-1", spec, Map.of("accuracy", 0.9)), StudyCommand.cancel("job-1"),
                JobEvent.stateChanged("job-1", JobState.REJECTED, "invalid", List.of(new FieldError("a", "b")), null));
        for (Message m : messages) {
            Message back = Json.read(Json.write(m), m.getClass());
            assertThat(back).isEqualTo(m);
            assertThat(back.schemaVersion()).isEqualTo(Message.SCHEMA_VERSION);
        }
    }

    @Test
    void inboundRecordsAreCheckedTheSameWayEverywhere() {
        TrialProgress ok = TrialProgress.of("j", "t", 1, "w", 1, 1, Map.of());
        assertThat(Messages.parse(Json.write(ok), TrialProgress.class)).isEqualTo(ok);
        assertThatThrownBy(() -> Messages.parse("", TrialProgress.class)).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> Messages.parse("{oops", TrialProgress.class)).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Messages.parse(Json.write(ok).replace("\"schemaVersion\":1", "\"schemaVersion\":9"),
                TrialProgress.class)).hasMessageContaining("schemaVersion 9");
        assertThatThrownBy(() -> Messages.parse(Json.write(ok).replace("\"jobId\":\"j\"", "\"jobId\":\"\""),
                TrialProgress.class)).hasMessageContaining("without jobId");
        assertThatThrownBy(() -> Messages.parse("{\"schemaVersion\":1,\"jobId\":\"j\",\"kind\":\"NOPE\"}",
                TrialProposal.class)).isInstanceOf(InvalidMessageException.class);
        assertThat(Messages.excerpt("x".repeat(500))).hasSize(203);
    }

    @Test
    void malformedJsonIsAClearError() {
        assertThatThrownBy(() -> Json.read("{not json", TrialProposal.class))
                .isInstanceOf(Json.MalformedJsonException.class).hasMessageStartingWith("malformed JSON");
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        TrialProgress p = TrialProgress.of("j", "t", 1, "w", 1, 1, Map.of());
        String withExtra = Json.write(p).replaceFirst("\\{", "{\"addedInV2\":true,");
        assertThat(Json.read(withExtra, TrialProgress.class)).isEqualTo(p);
    }
}
