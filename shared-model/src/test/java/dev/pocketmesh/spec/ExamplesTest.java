package dev.pocketmesh.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.learner.LearnerCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every job file under examples/ is one the validator accepts (the Fashion-MNIST ones need the dataset installed). */
class ExamplesTest {
    @Test
    void everyExampleIsAValidJob() throws IOException {
        JobSpecParser parser = new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(),
                JobSpecValidator::localPathExists));
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(examples).hasSizeGreaterThanOrEqualTo(4);
        for (Path example : examples) {
            JobSpec spec = parser.parse(Files.readString(example));
            assertThat(spec.name()).as(example.toString()).isNotBlank();
        }
    }
}
