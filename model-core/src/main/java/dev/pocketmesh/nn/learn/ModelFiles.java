package dev.pocketmesh.nn.learn;

import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.nn.onnx.OnnxExport;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.tensor.WeightsIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A model as stored: {@code net.json} (the {@link NetSpec}) beside {@code weights.npz}. The same two files make
 * up a user's model directory, a trial's artifact and the job's exported result. Written artifacts also carry
 * {@code model.onnx}, the deployable export, which is what the evaluator measures.
 */
public record ModelFiles(NetSpec spec, Weights weights) {
    public static final String NET = JobNetwork.NET_FILE;
    public static final String WEIGHTS = WeightsIO.FILE_NAME;
    public static final String ONNX = OnnxExport.FILE_NAME;

    /** The files by name, ready for an artifact directory: the spec, the weights and the ONNX export. */
    public Map<String, byte[]> toFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(NET, Json.writePretty(spec).getBytes(StandardCharsets.UTF_8));
        files.put(WEIGHTS, WeightsIO.toNpz(weights));
        files.put(ONNX, onnx());
        return files;
    }

    /** The model as fp32 ONNX. */
    public byte[] onnx() {
        return OnnxExport.fp32(spec, weights);
    }

    /** Reads the two files through {@code file} (name → bytes), checking that they belong together. */
    public static ModelFiles read(Function<String, byte[]> file) {
        NetSpec spec = Json.read(new String(file.apply(NET), StandardCharsets.UTF_8), NetSpec.class);
        ShapeInference.infer(spec);
        return new ModelFiles(spec, WeightsIO.fromNpz(file.apply(WEIGHTS)));
    }

    public static ModelFiles read(Path directory) {
        return read(name -> {
            try {
                return Files.readAllBytes(directory.resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + directory.resolve(name), e);
            }
        });
    }

    public void write(Path directory) {
        try {
            Files.createDirectories(directory);
            for (Map.Entry<String, byte[]> f : toFiles().entrySet()) {
                Files.write(directory.resolve(f.getKey()), f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + directory, e);
        }
    }
}
