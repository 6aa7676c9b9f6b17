package dev.pocketmesh.learner;

import dev.pocketmesh.dataset.DatasetProbe;
import dev.pocketmesh.dataset.DatasetShape;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.OnnxImport;
import dev.pocketmesh.model.OnnxImportException;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.spec.JobSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The uncompressed network of a job, as a {@link NetSpec}: a zoo network sized for the dataset (its image shape and
 * class count), the {@code net.json} of a user model directory ({@code model.uri}, beside its
 * {@code weights.npz}), or the network of an ONNX file ({@code model.onnx}, see {@link OnnxImport}). Every service resolves it the same way, so they agree on layer names and channel counts.
 */
public final class JobNetwork {
    /** The network file of a model directory (user models, trial artifacts). */
    public static final String NET_FILE = "net.json";

    private static final Map<String, NetSpec> CACHE = new ConcurrentHashMap<>();

    private JobNetwork() {
    }

    /**
     * @throws IllegalArgumentException naming the field ({@code model.zoo}, {@code model.uri}, {@code dataset...})
     *                                  and the reason when the network cannot be built or does not fit the data
     */
    public static NetSpec resolve(JobSpec spec) {
        String key = Json.write(spec.model()) + "|" + Json.write(spec.dataset());
        NetSpec cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        DatasetShape data = DatasetProbe.probe(spec.dataset());
        NetSpec net;
        if (spec.model().zoo() != null) {
            try {
                net = ModelZoo.byName(spec.model().zoo(), data.channels(), data.height(), data.width(),
                        data.numClasses());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model.zoo: " + e.getMessage(), e);
            }
        } else if (spec.model().onnx() != null) {
            net = requireFits("model.onnx", importOnnx(spec.model().onnx()).net(), data);
        } else {
            net = requireFits("model.uri", readUserNetwork(spec.model().uri()), data);
        }
        CACHE.put(key, net);
        return net;
    }

    /**
     * The network and weights of a job's {@code model.onnx} (a path or {@code file:} URI).
     *
     * @throws IllegalArgumentException "model.onnx: ..." when the file is missing or cannot be imported
     */
    public static OnnxImport.Imported importOnnx(String onnx) {
        Path file = directory(onnx);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model.onnx: no such file: " + onnx);
        }
        try {
            return OnnxImport.read(file);
        } catch (OnnxImportException e) {
            throw new IllegalArgumentException("model.onnx: cannot import " + onnx + ": " + e.getMessage(), e);
        }
    }

    /** A user's network must take the dataset's images and have a logit for each of its labels. */
    private static NetSpec requireFits(String field, NetSpec net, DatasetShape data) {
        if (net.input().channels() != data.channels() || net.input().height() != data.height()
                || net.input().width() != data.width()) {
            throw new IllegalArgumentException(field + ": the network takes " + net.input() + " inputs but the "
                    + "dataset's images are " + data.channels() + "x" + data.height() + "x" + data.width());
        }
        if (net.numClasses() < data.numClasses()) {
            throw new IllegalArgumentException(field + ": the network has " + net.numClasses()
                    + " classes but the dataset's labels need " + data.numClasses());
        }
        return net;
    }

    /** The directory a {@code model.uri} names: a {@code file:} URI or a plain path. */
    /**
     * The job's network, or empty with the reason added to {@code errors} (the dataset's errors, or the network's
     * own, under the field it names: "dataset.path: ..." becomes field dataset.path).
     */
    public static java.util.Optional<NetSpec> resolve(JobSpec spec, java.util.List<dev.pocketmesh.contracts.FieldError> errors) {
        try {
            return java.util.Optional.of(resolve(spec));
        } catch (dev.pocketmesh.dataset.DatasetException e) {
            errors.addAll(e.errors());
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            boolean fielded = colon > 0 && !message.substring(0, colon).contains(" ");
            errors.add(fielded ? new dev.pocketmesh.contracts.FieldError(message.substring(0, colon),
                    message.substring(colon + 2)) : new dev.pocketmesh.contracts.FieldError("model", message));
        }
        return java.util.Optional.empty();
    }

    public static Path directory(String uri) {
        return uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
    }

    private static NetSpec readUserNetwork(String uri) {
        Path file = directory(uri).resolve(NET_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model.uri: no " + NET_FILE + " in " + directory(uri));
        }
        try {
            NetSpec net = Json.read(Files.readString(file), NetSpec.class);
            ShapeInference.infer(net);
            return net;
        } catch (IOException e) {
            throw new IllegalArgumentException("model.uri: cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("model.uri: " + file + " is not a valid network: " + e.getMessage(), e);
        }
    }
}
