package dev.pocketmesh.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.learner.LearnerCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset and model locations confined to the operator's roots, and per-job limits, as the validator applies them. */
class JobPolicyTest {
    @TempDir
    Path root;

    private JobSpecParser parser(JobPolicy policy) {
        return new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), JobSpecValidator::localPathExists,
                policy));
    }

    private JobPolicy confinedTo(Path dir) {
        return new JobPolicy(List.of(dir), List.of(dir), 50, 20, 8, Long.MAX_VALUE);
    }

    private static String job(String datasetPath, String extra) {
        return """
                name: confined
                model: {zoo: lenet5}
                dataset: {format: idx, path: '%s'}
                compression: {learner: simulated, params: {layers: 3}, target: {flopsRatio: 2}}
                %s
                """.formatted(datasetPath, extra);
    }

    private List<FieldError> errors(JobPolicy policy, String yaml) {
        try {
            parser(policy).parse(yaml);
        } catch (JobSpecException e) {
            return e.errors();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void etcPasswdAsFileUriIsRefusedNamingTheField() {
        List<FieldError> errors = errors(confinedTo(root), job("file:///etc/passwd", ""));
        assertThat(errors).extracting(FieldError::field).containsExactly("dataset.path");
        assertThat(errors.get(0).reason()).contains("outside the allowed roots").contains(root.toString());
    }

    @Test
    void dotDotEscapeIsRefusedEvenWhenItStartsInsideARoot() {
        List<FieldError> errors = errors(confinedTo(root), job(root + "/../../etc", ""));
        assertThat(errors).extracting(FieldError::field).containsExactly("dataset.path");
        assertThat(errors.get(0).reason()).contains("'..'");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThat(errors(confinedTo(root), job("http://example.org/data", "")))
                .extracting(FieldError::reason).singleElement().asString().contains("only local paths and file: URIs");
    }

    @Test
    void aLinkInsideARootCannotLeadOutOfIt() throws IOException {
        Path link = Files.createSymbolicLink(root.resolve("escape"), Path.of("/etc"));
        assertThat(JobPolicy.confine("dataset.path", link.toString(), List.of(root))).isPresent();
    }

    @Test
    void aPathOrFileUriInsideARootPassesConfinement() throws IOException {
        Path data = Files.createDirectories(root.resolve("fashion"));
        assertThat(JobPolicy.confine("dataset.path", data.toString(), List.of(root))).isEmpty();
        assertThat(JobPolicy.confine("dataset.path", data.toUri().toString(), List.of(root))).isEmpty();
        // Not yet there (the existence check reports that), but inside: confinement itself has nothing against it.
        assertThat(JobPolicy.confine("dataset.path", root.resolve("later").toString(), List.of(root))).isEmpty();
    }

    @Test
    void userModelUriOutsideTheModelRootsIsRefused() {
        String yaml = job(root.toString(), "").replace("model: {zoo: lenet5}", "model: {uri: 'file:///etc/models'}");
        assertThat(errors(confinedTo(root), yaml)).extracting(FieldError::field).contains("model.uri");
    }

    @Test
    void limitsNameTheFieldAndTheLimit() {
        List<FieldError> errors = errors(confinedTo(root), job(root.toString(), """
                search: {trials: 51, parallelism: 9}
                training: {epochs: 21, finalEpochs: 2}
                """).replace("format: idx", "format: synthetic"));
        assertThat(errors).extracting(FieldError::field)
                .containsExactlyInAnyOrder("search.trials", "search.parallelism", "training.epochs");
        assertThat(errors).filteredOn(e -> e.field().equals("search.trials")).singleElement()
                .extracting(FieldError::reason).asString().contains("51").contains("limit of 50")
                .contains("pocketmesh.limits.max-trials");
    }

    @Test
    void modelSizeLimitNamesTheParameterCount() {
        JobPolicy tiny = new JobPolicy(List.of(), List.of(), 50, 20, 8, 1_000);
        List<FieldError> errors = errors(tiny, job("x", "").replace("format: idx, path: 'x'", "format: synthetic"));
        assertThat(errors).extracting(FieldError::field).containsExactly("model.zoo");
        assertThat(errors.get(0).reason()).contains("parameters").contains("limit of 1000");
    }

    @Test
    void withinTheLimitsAndRootsTheJobIsAccepted() {
        JobSpec spec = parser(new JobPolicy(List.of(root), List.of(root), 50, 20, 8, 10_000_000)).parse(
                job("x", "search: {trials: 50, parallelism: 8}").replace("format: idx, path: 'x'",
                        "format: synthetic"));
        assertThat(spec.search().trials()).isEqualTo(50);
        assertThatThrownBy(() -> JobPolicy.toPath("s3://bucket/x")).hasMessageContaining("file: URIs");
    }
}
