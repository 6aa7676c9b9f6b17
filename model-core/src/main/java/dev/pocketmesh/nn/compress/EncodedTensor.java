package dev.pocketmesh.nn.compress;

import dev.pocketmesh.nn.tensor.Tensor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One tensor as it is stored in a {@link PackedWeights} file. Every encoding {@link #decode decodes} to exactly the
 * values the compressed model computes with; its payload is what makes the file small:
 * <ul>
 * <li>{@link Dense}: float32 values;</li>
 * <li>{@link Quantized}: b-bit codes packed densely, plus a float32 scale per channel and, for an asymmetric
 * scheme, a one-byte zero point per channel (a symmetric scheme's is 0);</li>
 * <li>{@link Sparse}: one bit per block of {@code block} consecutive values of a row (1 = kept), then the kept
 * blocks' values, themselves encoded (float32, quantized or codebook);</li>
 * <li>{@link Codebook}: b-bit centroid indices packed densely, plus 2^b float32 centroids.</li>
 * </ul>
 */
public sealed interface EncodedTensor {
    int[] shape();

    Tensor decode();

    /** The encoding's name in the file header. */
    String encoding();

    /** Header fields beyond name, encoding and shape. */
    Map<String, Object> header();

    void writePayload(DataOutputStream out) throws IOException;

    record Dense(Tensor tensor) implements EncodedTensor {
        @Override
        public int[] shape() {
            return tensor.shape();
        }

        @Override
        public Tensor decode() {
            return tensor;
        }

        @Override
        public String encoding() {
            return "float32";
        }

        @Override
        public Map<String, Object> header() {
            return Map.of();
        }

        @Override
        public void writePayload(DataOutputStream out) throws IOException {
            for (float v : tensor.data()) {
                out.writeFloat(v);
            }
        }
    }

    /** Codes are stored as {@code code - qmin}, so every scheme packs as unsigned b-bit numbers. */
    record Quantized(int[] shape, QuantScheme scheme, QuantParams params, byte[] packed) implements EncodedTensor {
        public static Quantized of(Tensor w, QuantScheme scheme, QuantParams params) {
            int[] codes = UniformQuantizer.quantize(w, params, scheme);
            for (int i = 0; i < codes.length; i++) {
                codes[i] -= scheme.qmin();
            }
            return new Quantized(w.shape(), scheme, params, BitPacking.pack(codes, scheme.bits()));
        }

        public int[] codes() {
            int[] codes = BitPacking.unpack(packed, scheme.bits(), count(shape));
            for (int i = 0; i < codes.length; i++) {
                codes[i] += scheme.qmin();
            }
            return codes;
        }

        @Override
        public Tensor decode() {
            return UniformQuantizer.dequantize(codes(), shape, params);
        }

        @Override
        public String encoding() {
            return "uniform";
        }

        @Override
        public Map<String, Object> header() {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("bits", scheme.bits());
            h.put("symmetric", scheme.symmetric());
            h.put("perChannel", scheme.perChannel());
            return h;
        }

        @Override
        public void writePayload(DataOutputStream out) throws IOException {
            float[] scale = params.scale();
            int[] zero = params.zeroPoint();
            for (int c = 0; c < scale.length; c++) {
                out.writeFloat(scale[c]);
                if (!scheme.symmetric()) {
                    out.writeByte(zero[c]);
                }
            }
            out.write(packed);
        }

        static Quantized read(int[] shape, Map<String, Object> h, DataInputStream in) throws IOException {
            QuantScheme scheme = new QuantScheme(((Number) h.get("bits")).intValue(), (Boolean) h.get("symmetric"),
                    (Boolean) h.get("perChannel"));
            int channels = scheme.perChannel() ? shape[0] : 1;
            float[] scale = new float[channels];
            int[] zero = new int[channels];
            for (int c = 0; c < channels; c++) {
                scale[c] = in.readFloat();
                zero[c] = scheme.symmetric() ? 0 : in.readUnsignedByte();
            }
            byte[] packed = in.readNBytes(BitPacking.packedLength(count(shape), scheme.bits()));
            return new Quantized(shape, scheme, new QuantParams(scale, zero), packed);
        }
    }

    /**
     * A tensor most of whose values are zero. Rows are axis 0's entries (a layer's output channels); each row is cut
     * into blocks of {@code block} consecutive values (1 = unstructured). A block is kept when any value in it is
     * non-zero.
     */
    record Sparse(int[] shape, int block, byte[] bitmap, EncodedTensor values) implements EncodedTensor {
        /** Encodes {@code w}; the kept values (a 1-D tensor) are encoded by {@code valueEncoding}. */
        public static Sparse of(Tensor w, int block, java.util.function.Function<Tensor, EncodedTensor> valueEncoding) {
            if (w.size() % block != 0 || (w.rank() > 1 && w.stride0() % block != 0)) {
                throw new IllegalArgumentException("rows of " + Arrays.toString(w.shape()) + " do not split into blocks of "
                        + block);
            }
            float[] data = w.data();
            int blocks = data.length / block;
            int[] keep = new int[blocks];
            int kept = 0;
            for (int b = 0; b < blocks; b++) {
                for (int i = b * block; i < (b + 1) * block; i++) {
                    if (data[i] != 0f) {
                        keep[b] = 1;
                        kept++;
                        break;
                    }
                }
            }
            float[] values = new float[kept * block];
            int pos = 0;
            for (int b = 0; b < blocks; b++) {
                if (keep[b] == 1) {
                    System.arraycopy(data, b * block, values, pos, block);
                    pos += block;
                }
            }
            return new Sparse(w.shape(), block, BitPacking.pack(keep, 1),
                    valueEncoding.apply(new Tensor(new int[] {values.length}, values)));
        }

        /** Kept values over all values. */
        public double density() {
            return (double) count(values.shape()) / count(shape);
        }

        @Override
        public Tensor decode() {
            int n = count(shape);
            int[] keep = BitPacking.unpack(bitmap, 1, n / block);
            float[] kept = values.decode().data();
            float[] out = new float[n];
            int pos = 0;
            for (int b = 0; b < keep.length; b++) {
                if (keep[b] == 1) {
                    System.arraycopy(kept, pos, out, b * block, block);
                    pos += block;
                }
            }
            return new Tensor(shape, out);
        }

        @Override
        public String encoding() {
            return "sparse";
        }

        @Override
        public Map<String, Object> header() {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("block", block);
            h.put("values", PackedWeights.describe(values));
            return h;
        }

        @Override
        public void writePayload(DataOutputStream out) throws IOException {
            out.write(bitmap);
            values.writePayload(out);
        }
    }

    record Codebook(int[] shape, int bits, float[] centroids, byte[] packed) implements EncodedTensor {
        public static Codebook of(int[] shape, KMeansCodebook.Codebook codebook, int bits) {
            return new Codebook(shape, bits, codebook.centroids(), BitPacking.pack(codebook.indices(), bits));
        }

        @Override
        public Tensor decode() {
            return new Tensor(shape, new KMeansCodebook.Codebook(centroids,
                    BitPacking.unpack(packed, bits, count(shape))).decode());
        }

        @Override
        public String encoding() {
            return "codebook";
        }

        @Override
        public Map<String, Object> header() {
            return Map.of("bits", bits);
        }

        @Override
        public void writePayload(DataOutputStream out) throws IOException {
            for (int c = 0; c < 1 << bits; c++) {
                out.writeFloat(c < centroids.length ? centroids[c] : 0f);
            }
            out.write(packed);
        }

        static Codebook read(int[] shape, Map<String, Object> h, DataInputStream in) throws IOException {
            int bits = ((Number) h.get("bits")).intValue();
            float[] centroids = new float[1 << bits];
            for (int c = 0; c < centroids.length; c++) {
                centroids[c] = in.readFloat();
            }
            return new Codebook(shape, bits, centroids, in.readNBytes(BitPacking.packedLength(count(shape), bits)));
        }
    }

    static int count(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
