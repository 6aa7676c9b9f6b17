package dev.pocketmesh.nn.learn;

import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.model.OnnxImport;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.tensor.WeightsIO;
import dev.pocketmesh.spec.JobSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The weights a job's model brings, which make it the baseline without training: a model directory's
 * {@code weights.npz} ({@code model.uri}) or an ONNX file's initializers ({@code model.onnx}). A zoo network brings
 * none. The network itself is {@link JobNetwork#resolve}'s; the two read the same files, so the names match.
 */
public final class PretrainedWeights {
    private PretrainedWeights() {
    }

    /** The job model's own weights, or empty when the baseline must be trained from scratch. */
    public static Optional<Weights> of(JobSpec spec) {
        JobSpec.Model model = spec.model();
        if (model.onnx() != null) {
            return Optional.of(of(JobNetwork.importOnnx(model.onnx())));
        }
        if (model.uri() != null) {
            Path dir = JobNetwork.directory(model.uri());
            if (Files.exists(dir.resolve(WeightsIO.FILE_NAME))) {
                return Optional.of(ModelFiles.read(dir).weights());
            }
        }
        return Optional.empty();
    }

    /** The weights of an imported ONNX model, by the names the network builder uses. */
    public static Weights of(OnnxImport.Imported imported) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        imported.weights().forEach((name, w) -> tensors.put(name, new Tensor(w.shape(), w.values())));
        return new Weights(tensors);
    }
}
