package dev.pocketmesh.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.OnnxTestGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model: {onnx: path}}: the file is imported at intake, so a bad one is refused before any training. */
class OnnxModelSpecTest {
    private final JobSpecParser parser = new JobSpecParser(
            new JobSpecValidator(LearnerCatalog.standard(), JobSpecValidator::localPathExists));

    @TempDir
    Path dir;

    private static String job(String model) {
        return """
                name: imported
                model: %s
                dataset: {format: synthetic, imageSize: 12, limit: 300}
                compression: {learner: channel-pruning, params: {criterion: l1-norm}, target: {flopsRatio: 2}}
                search: {optimizer: random, trials: 4, seed: 1}
                """.formatted(model);
    }

    private List<FieldError> errors(String yaml) {
        try {
            parser.parse(yaml);
            return List.of();
        } catch (JobSpecException e) {
            return e.errors();
        }
    }

    @Test
    void anImportableOnnxFileIsTheJobsNetwork() throws Exception {
        Path file = Files.write(dir.resolve("tiny-resnet.onnx"), OnnxTestGraph.pytorchStyleResNet(1));
        JobSpec spec = parser.parse(job("{onnx: " + file + "}"));
        assertThat(spec.model()).isEqualTo(new JobSpec.Model(null, null, file.toString()));
        NetSpec net = JobNetwork.resolve(spec);
        assertThat(net.name()).isEqualTo("tiny-resnet");
        assertThat(net.residualGroups()).hasSize(2);
        // A file: URI names the same file.
        assertThat(parser.parse(job("{onnx: '" + file.toUri() + "'}")).model().onnx()).isEqualTo(file.toUri().toString());
    }

    @Test
    void aMissingFileIsNamed() {
        List<FieldError> errors = errors(job("{onnx: " + dir.resolve("nowhere.onnx") + "}"));
        assertThat(errors).extracting(FieldError::field).containsExactly("model.onnx");
        assertThat(errors.get(0).reason()).contains("no such file").contains("nowhere.onnx");
    }

    @Test
    void aFileThatCannotBeImportedIsRefusedWithTheReason() throws Exception {
        OnnxTestGraph g = new OnnxTestGraph("x", 1, 1, 12, 12);
        g.node("LSTM", "/rnn/LSTM", "h", "x");
        Path file = Files.write(dir.resolve("rnn.onnx"), g.bytes("h", 10));
        List<FieldError> errors = errors(job("{onnx: " + file + "}"));
        assertThat(errors).extracting(FieldError::field).containsExactly("model.onnx");
        assertThat(errors.get(0).reason()).contains("cannot import").contains("node #0 '/rnn/LSTM' (LSTM)");

        Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "not a model");
        assertThat(errors(job("{onnx: " + garbage + "}"))).singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("not an ONNX model"));
    }

    @Test
    void aNetworkThatDoesNotFitTheDataIsNamed() throws Exception {
        Path file = Files.write(dir.resolve("tiny-resnet.onnx"), OnnxTestGraph.pytorchStyleResNet(1));
        List<FieldError> errors = errors(job("{onnx: " + file + "}").replace("imageSize: 12", "imageSize: 16"));
        assertThat(errors).extracting(FieldError::field).containsExactly("model.onnx");
        assertThat(errors.get(0).reason()).contains("takes 1x12x12 inputs").contains("1x16x16");
    }

    @Test
    void exactlyOneModelSourceIsAccepted() throws Exception {
        Path file = Files.write(dir.resolve("tiny-resnet.onnx"), OnnxTestGraph.pytorchStyleResNet(1));
        assertThat(errors(job("{zoo: lenet5, onnx: " + file + "}"))).extracting(FieldError::field)
                .containsExactly("model");
    }
}
