package dev.pocketmesh.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.search.Optimizers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The published JSON Schema and the Java validator must accept and refuse the same documents. */
class JobSpecSchemaTest {
    private static final JsonSchema SCHEMA = load();
    private final JobSpecParser parser = new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), p -> true));

    @Test
    void everyExampleJobIsValidForBoth() throws IOException {
        Path examples = Path.of("../examples");
        List<Path> files;
        try (Stream<Path> s = Files.list(examples)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            JsonNode doc = JobSpecParser.readTree(Files.readString(file));
            assertThat(SCHEMA.validate(doc)).as(file.toString()).isEmpty();
            parser.parse(Files.readString(file));
        }
    }

    @Test
    void documentsTheValidatorRefusesTheSchemaRefusesToo() {
        String base = "{name: a, model: {zoo: mlp}, dataset: {format: synthetic}, compression: {learner: simulated}";
        for (String bad : List.of(
                base + ", search: {trials: -3}}",
                base + ", search: {optimizer: oracle}}",
                base + ", extra: 1}",
                "{name: a, model: {zoo: mlp}, dataset: {format: idx}, compression: {learner: simulated}}",
                "{name: a, model: {zoo: mlp}, dataset: {format: synthetic}, compression: {learner: magic}}",
                "{name: a, model: {zoo: mlp, uri: x}, dataset: {format: synthetic}, compression: {learner: simulated}}",
                base + ", training: {devices: tpu}}",
                base + ", evaluation: {alsoMeasureOn: [tpu-v9]}}",
                "{name: a, model: {zoo: mlp}, dataset: {format: idx, path: /d, imageSize: 28}, "
                        + "compression: {learner: simulated}}",
                "{name: a, model: {zoo: mlp}, dataset: {format: cifar10, path: /d, imageSize: 32}, "
                        + "compression: {learner: simulated}}",
                "{name: a, model: {zoo: mlp}, dataset: {format: synthetic, classes: 1}, "
                        + "compression: {learner: simulated}}",
                "{name: a, model: {zoo: mlp}, dataset: {format: synthetic, imageSize: 7}, "
                        + "compression: {learner: simulated}}",
                "{name: a, model: {zoo: mlp}, dataset: {format: image-folder, path: /d, imageSize: 513}, "
                        + "compression: {learner: simulated}}")) {
            JsonNode doc = JobSpecParser.readTree(bad);
            assertThat(SCHEMA.validate(doc)).as(bad).isNotEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> parser.parse(bad)).as(bad)
                    .isInstanceOf(JobSpecException.class);
        }
    }

    @Test
    void datasetOptionsBothAccept() {
        for (String good : List.of(
                "{name: a, model: {zoo: mlp}, dataset: {format: synthetic, classes: 4, imageSize: 8, limit: 50}, "
                        + "compression: {learner: simulated}}",
                "{name: a, model: {zoo: mlp}, dataset: {format: image-folder, path: /d, imageSize: 512, classes: 2}, "
                        + "compression: {learner: simulated}}",
                "{name: a, model: {zoo: mlp}, dataset: {format: idx, path: /d, classes: 10}, "
                        + "compression: {learner: simulated}}")) {
            assertThat(SCHEMA.validate(JobSpecParser.readTree(good))).as(good).isEmpty();
            parser.parse(good);
        }
    }

    @Test
    void enumerationsMatchTheCode() {
        JsonNode props = Json.tree(schemaText()).get("properties");
        assertThat(names(props.at("/compression/properties/learner/enum"))).isEqualTo(LearnerCatalog.standard().names());
        assertThat(names(props.at("/search/properties/optimizer/enum"))).isEqualTo(Optimizers.NAMES);
        assertThat(names(props.at("/dataset/properties/format/enum"))).isEqualTo(JobSpecValidator.DATASET_FORMATS);
        assertThat(names(props.at("/model/properties/zoo/enum"))).isEqualTo(JobSpecValidator.ZOO);
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String schemaText() {
        try (InputStream in = JobSpecSchemaTest.class.getResourceAsStream("/schema/job-spec.schema.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonSchema load() {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaText());
    }
}
