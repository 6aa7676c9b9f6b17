package dev.pocketmesh.nn.compress;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's weights as stored ({@value #FILE_NAME}): each tensor in its {@link EncodedTensor encoding}, plus how
 * each layer's input and each tensor of {@link TensorQuantization} is quantized at run time ({@link ActivationQuant},
 * for quantized models). The bytes of this file are what reports call a compressed model's size.
 *
 * <p>Format (big-endian): the magic {@code PMW1}, a 4-byte header length, the header as deflated (zlib) UTF-8 JSON
 * ({@code {"tensors": [{"name", "encoding", "shape", ...}], "activations": {layer: {bits, scale, zeroPoint}},
 * "outputs": {layer: {bits, scale, zeroPoint}}, "payload": "raw" | "deflate"}}, "outputs" only when there are any),
 * then each tensor's payload in header order (see {@link EncodedTensor} for what each encoding writes). The payloads are entropy-coded as one zlib stream ({@code "payload": "deflate"}) when that
 * is smaller: quantized and codebook indices of trained weights cluster near zero, so they carry fewer bits than
 * their width (the last stage of Han et al.'s Deep Compression, with zlib's Huffman coder in place of theirs).
 * Float32 payloads shrink too, by about 7 % (their exponent bytes repeat); codes spread evenly over their range
 * do not, and stay raw.
 */
public final class PackedWeights {
    public static final String FILE_NAME = "weights.pmw";
    private static final byte[] MAGIC = "PMW1".getBytes(StandardCharsets.US_ASCII);

    private final Map<String, EncodedTensor> tensors;
    private final Map<String, ActivationQuant> activations;
    private final Map<String, ActivationQuant> outputs;

    public PackedWeights(Map<String, EncodedTensor> tensors, Map<String, ActivationQuant> activations) {
        this(tensors, activations, Map.of());
    }

    /** @param outputs the quantized tensors of {@link TensorQuantization}, by the layer producing each */
    public PackedWeights(Map<String, EncodedTensor> tensors, Map<String, ActivationQuant> activations,
            Map<String, ActivationQuant> outputs) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.activations = Collections.unmodifiableMap(new LinkedHashMap<>(activations));
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** Every tensor as float32: how an uncompressed model is stored. */
    public static PackedWeights dense(Weights weights) {
        Map<String, EncodedTensor> encoded = new LinkedHashMap<>();
        weights.asMap().forEach((k, t) -> encoded.put(k, new EncodedTensor.Dense(t)));
        return new PackedWeights(encoded, Map.of());
    }

    public Map<String, EncodedTensor> tensors() {
        return tensors;
    }

    /** Input quantization by layer name (empty when activations stay float). */
    public Map<String, ActivationQuant> activations() {
        return activations;
    }

    /**
     * Output quantization by the name of the layer producing the tensor (a top-level layer or a projection
     * shortcut's conv): the tensors of {@link TensorQuantization#points} (empty when activations stay float, and in
     * files written before there were any).
     */
    public Map<String, ActivationQuant> outputs() {
        return outputs;
    }

    /** The same tensors and inputs with other output quantization (e.g. renamed for a folded network). */
    public PackedWeights withOutputs(Map<String, ActivationQuant> replacement) {
        return new PackedWeights(tensors, activations, replacement);
    }

    /** The weights the compressed model computes with, as dense float tensors. */
    public Weights decode() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, e) -> out.put(k, e.decode()));
        return new Weights(out);
    }

    /** Bits per weight value over the tensors that are not float32 (NaN when every tensor is float32). */
    public double compressedBitsPerValue() {
        long values = 0;
        long bytes = 0;
        for (EncodedTensor e : tensors.values()) {
            if (!(e instanceof EncodedTensor.Dense)) {
                values += EncodedTensor.count(e.shape());
                bytes += payloadBytes(e);
            }
        }
        return values == 0 ? Double.NaN : 8.0 * bytes / values;
    }

    static long payloadBytes(EncodedTensor e) {
        return payloads(List.of(e)).length;
    }

    public byte[] toBytes() {
        Map<String, Object> header = new LinkedHashMap<>();
        List<Map<String, Object>> entries = new ArrayList<>();
        tensors.forEach((name, e) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", name);
            entry.putAll(describe(e));
            entries.add(entry);
        });
        header.put("tensors", entries);
        header.put("activations", describe(activations));
        if (!outputs.isEmpty()) { // absent otherwise: a model without them keeps the bytes it always had
            header.put("outputs", describe(outputs));
        }
        byte[] raw = payloads(tensors.values());
        byte[] coded = deflate(raw);
        boolean entropyCoded = coded.length < raw.length * MAX_CODED_FRACTION;
        header.put("payload", entropyCoded ? "deflate" : "raw");
        byte[] json = deflate(Json.write(header).getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(json.length);
            out.write(json);
            out.write(entropyCoded ? coded : raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Entropy coding must save at least 5 % to be used: below that the decode time on every load is not worth the
     * bytes.
     */
    private static final double MAX_CODED_FRACTION = 0.95;

    /** The tensors' payloads, one after another, as the file stores them before entropy coding. */
    private static byte[] payloads(java.util.Collection<EncodedTensor> encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (EncodedTensor e : encoded) {
                e.writePayload(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The header repeats names and keys for every tensor; deflated it weighs little beside a small model. */
    private static byte[] deflate(byte[] data) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    private static byte[] inflate(byte[] data) {
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        inflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalArgumentException(FILE_NAME + " is truncated");
                }
                out.write(buffer, 0, n);
            }
            if (inflater.getRemaining() > 0) {
                throw new IllegalArgumentException(FILE_NAME + " has bytes after a compressed section");
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException(FILE_NAME + " is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return out.toByteArray();
    }

    private static Map<String, Object> describe(Map<String, ActivationQuant> quants) {
        Map<String, Object> out = new LinkedHashMap<>();
        quants.forEach((layer, a) -> {
            Map<String, Object> entry = new LinkedHashMap<>(); // a fixed key order: the same model, the same bytes
            entry.put("bits", a.bits());
            entry.put("scale", a.scale());
            entry.put("zeroPoint", a.zeroPoint());
            out.put(layer, entry);
        });
        return out;
    }

    private static Map<String, ActivationQuant> activationQuants(Object described) {
        Map<String, ActivationQuant> out = new LinkedHashMap<>();
        if (described instanceof Map<?, ?> m) {
            m.forEach((layer, v) -> {
                Map<?, ?> a = (Map<?, ?>) v;
                out.put(layer.toString(), new ActivationQuant(((Number) a.get("bits")).intValue(),
                        ((Number) a.get("scale")).floatValue(), ((Number) a.get("zeroPoint")).intValue()));
            });
        }
        return out;
    }

    static Map<String, Object> describe(EncodedTensor e) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("encoding", e.encoding());
        h.put("shape", e.shape());
        h.putAll(e.header());
        return h;
    }

    public static PackedWeights fromBytes(byte[] file) {
        try (DataInputStream head = new DataInputStream(new ByteArrayInputStream(file))) {
            byte[] magic = head.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("not a PocketMesh weights file (" + FILE_NAME + "): bad magic");
            }
            byte[] json = inflate(head.readNBytes(head.readInt()));
            Map<String, Object> header = Json.mapper().readValue(json, new TypeReference<Map<String, Object>>() {
            });
            Object coding = header.getOrDefault("payload", "raw");
            byte[] rest = head.readAllBytes();
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(switch (String.valueOf(coding)) {
                case "raw" -> rest;
                case "deflate" -> inflate(rest);
                default -> throw new IllegalArgumentException(FILE_NAME + " has an unknown payload coding '" + coding + "'");
            }));
            Map<String, EncodedTensor> tensors = new LinkedHashMap<>();
            for (Object o : (List<?>) header.get("tensors")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) o;
                tensors.put((String) entry.get("name"), read(entry, in));
            }
            if (in.read() != -1) {
                throw new IllegalArgumentException(FILE_NAME + " has bytes after its last tensor");
            }
            return new PackedWeights(tensors, activationQuants(header.get("activations")),
                    activationQuants(header.get("outputs")));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + FILE_NAME + ": " + e.getMessage(), e);
        }
    }

    private static EncodedTensor read(Map<String, Object> h, DataInputStream in) throws IOException {
        List<?> dims = (List<?>) h.get("shape");
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = ((Number) dims.get(i)).intValue();
        }
        String encoding = (String) h.get("encoding");
        return switch (encoding) {
            case "float32" -> {
                float[] data = new float[EncodedTensor.count(shape)];
                for (int i = 0; i < data.length; i++) {
                    data[i] = in.readFloat();
                }
                yield new EncodedTensor.Dense(new Tensor(shape, data));
            }
            case "uniform" -> EncodedTensor.Quantized.read(shape, h, in);
            case "codebook" -> EncodedTensor.Codebook.read(shape, h, in);
            case "sparse" -> {
                int block = ((Number) h.get("block")).intValue();
                byte[] bitmap = in.readNBytes(BitPacking.packedLength(EncodedTensor.count(shape) / block, 1));
                @SuppressWarnings("unchecked")
                Map<String, Object> values = (Map<String, Object>) h.get("values");
                yield new EncodedTensor.Sparse(shape, block, bitmap, read(values, in));
            }
            default -> throw new IllegalArgumentException("unknown tensor encoding '" + encoding + "'");
        };
    }
}
