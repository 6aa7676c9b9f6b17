package dev.pocketmesh.nn.learn;

import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.compress.transform.InputQuantization;
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
import java.util.function.Predicate;

/**
 * A model as stored: {@code net.json} (the {@link NetSpec}) beside its weights, either {@code weights.npz} (dense
 * float32, also how users bring models) or, for a compressed model, {@code weights.pmw} ({@link PackedWeights}:
 * packed integers, sparse blocks, codebooks, and how layer inputs are quantized). The same files make up a user's
 * model directory, a trial's artifact and the job's exported result. Written artifacts also carry {@code model.onnx},
 * the deployable export the evaluator scores and times: fp32, or QDQ for a quantized model ({@link #onnx()}).
 *
 * @param weights the weights the model computes with (a packed model's, decoded)
 * @param packed  the stored form of a compressed model, or null for a dense one
 */
public record ModelFiles(NetSpec spec, Weights weights, PackedWeights packed) {
    public static final String NET = JobNetwork.NET_FILE;
    public static final String WEIGHTS = WeightsIO.FILE_NAME;
    public static final String PACKED = PackedWeights.FILE_NAME;
    public static final String ONNX = OnnxExport.FILE_NAME;

    /** A dense model. */
    public ModelFiles(NetSpec spec, Weights weights) {
        this(spec, weights, null);
    }

    /** A compressed model, from its stored form. */
    public static ModelFiles packed(NetSpec spec, PackedWeights packed) {
        return new ModelFiles(spec, packed.decode(), packed);
    }

    /**
     * How the model runs: the input quantization of each layer that has one (none for a dense model). Weights need
     * no transform: a packed model's decode to the exact values it computes with.
     */
    public Map<String, LayerTransform> runtimeTransforms() {
        Map<String, LayerTransform> transforms = new LinkedHashMap<>();
        if (packed != null) {
            packed.activations().forEach((layer, quant) -> transforms.put(layer, new InputQuantization(quant)));
        }
        return transforms;
    }

    /** How the model runs, besides its layers' transforms: its quantized tensors (none for a dense model). */
    public Map<String, ActivationQuant> runtimeOutputs() {
        return packed == null ? Map.of() : packed.outputs();
    }

    /** The files by name, ready for an artifact directory: the spec, the weights and the ONNX export. */
    public Map<String, byte[]> toFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(NET, Json.writePretty(spec).getBytes(StandardCharsets.UTF_8));
        if (packed != null) {
            files.put(PACKED, packed.toBytes());
        } else {
            files.put(WEIGHTS, WeightsIO.toNpz(weights));
        }
        files.put(ONNX, onnx());
        return files;
    }

    /** The model as ONNX: fp32 for a dense model, QDQ for a packed one (see {@link OnnxExport#quantized}). */
    public byte[] onnx() {
        return packed == null ? OnnxExport.fp32(spec, weights) : OnnxExport.quantized(spec, packed);
    }

    /**
     * Reads the spec and the weights through {@code file} (name to bytes), {@code weights.pmw} when {@code exists}
     * says there is one, else {@code weights.npz}, checking that they belong together.
     */
    public static ModelFiles read(Function<String, byte[]> file, Predicate<String> exists) {
        NetSpec spec = Json.read(new String(file.apply(NET), StandardCharsets.UTF_8), NetSpec.class);
        ShapeInference.infer(spec);
        if (exists.test(PACKED)) {
            return packed(spec, PackedWeights.fromBytes(file.apply(PACKED)));
        }
        return new ModelFiles(spec, WeightsIO.fromNpz(file.apply(WEIGHTS)));
    }

    /** Reads a dense model through {@code file}. */
    public static ModelFiles read(Function<String, byte[]> file) {
        return read(file, name -> false);
    }

    public static ModelFiles read(Path directory) {
        return read(name -> {
            try {
                return Files.readAllBytes(directory.resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + directory.resolve(name), e);
            }
        }, name -> Files.exists(directory.resolve(name)));
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
