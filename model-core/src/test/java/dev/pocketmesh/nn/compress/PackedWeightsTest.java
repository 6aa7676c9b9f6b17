package dev.pocketmesh.nn.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PackedWeightsTest {

    private static Tensor sparse(long seed, double density, int block, int... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = new float[t.size()];
        for (int b = 0; b < d.length / block; b++) {
            if (random.nextDouble() < density) {
                for (int i = b * block; i < (b + 1) * block; i++) {
                    d[i] = (float) (random.nextDouble() - 0.5);
                }
            }
        }
        return new Tensor(shape, d);
    }

    @Test
    void aNinetyPercentSparseTensorTakesAtMostFifteenPercentOfItsDenseBytes() {
        Tensor w = sparse(1, 0.10, 1, 64, 64, 3, 3);
        long dense = PackedWeights.payloadBytes(new EncodedTensor.Dense(w));
        EncodedTensor.Sparse s = EncodedTensor.Sparse.of(w, 1, EncodedTensor.Dense::new);
        assertThat(s.density()).isCloseTo(0.10, org.assertj.core.data.Offset.offset(0.01));
        assertThat((double) PackedWeights.payloadBytes(s) / dense).isLessThanOrEqualTo(0.15);
        assertThat(s.decode()).isEqualTo(w);
        // 1x8 blocks: one bit per 8 values.
        Tensor blocked = sparse(2, 0.10, 8, 64, 64, 3, 3);
        EncodedTensor.Sparse sb = EncodedTensor.Sparse.of(blocked, 8, EncodedTensor.Dense::new);
        assertThat((double) PackedWeights.payloadBytes(sb) / dense).isLessThanOrEqualTo(0.11);
        assertThat(sb.decode()).isEqualTo(blocked);
    }

    @Test
    void everyEncodingSurvivesTheFileAndDecodesToTheSameValues() {
        Tensor w = QuantizationMathTest.gaussianForTests(3, 16, 8, 3, 3);
        QuantScheme int4 = new QuantScheme(4, true, true);
        QuantScheme uint8 = new QuantScheme(8, false, false);
        Tensor sparseW = sparse(4, 0.25, 4, 16, 8, 3, 3);
        Map<String, EncodedTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv1.weight", EncodedTensor.Quantized.of(w, int4, UniformQuantizer.minMax(w, int4)));
        tensors.put("conv1.bias", new EncodedTensor.Dense(new Tensor(new int[] {16}, new float[16])));
        tensors.put("conv2.weight", EncodedTensor.Sparse.of(sparseW, 4,
                v -> EncodedTensor.Quantized.of(v, uint8, UniformQuantizer.minMax(v, uint8))));
        tensors.put("fc.weight", EncodedTensor.Codebook.of(w.shape(), KMeansCodebook.fit(w.data(), 3, 20), 3));
        PackedWeights packed = new PackedWeights(tensors, Map.of("conv2", new ActivationQuant(8, 0.02f, 3)),
                Map.of("conv1", new ActivationQuant(7, 0.5f, 64)));

        byte[] file = packed.toBytes();
        PackedWeights back = PackedWeights.fromBytes(file);
        // Reading and writing again gives the same bytes: the file's size is a property of the model.
        assertThat(back.toBytes()).isEqualTo(file);
        assertThat(back.activations()).isEqualTo(packed.activations());
        assertThat(back.outputs()).isEqualTo(packed.outputs());
        // Without quantized tensors the header does not mention them (files written before them read the same).
        PackedWeights without = new PackedWeights(tensors, packed.activations());
        assertThat(PackedWeights.fromBytes(without.toBytes()).outputs()).isEmpty();
        assertThat(without.toBytes().length).isLessThan(file.length);
        Weights a = packed.decode();
        Weights b = back.decode();
        assertThat(b.asMap().keySet()).containsExactlyElementsOf(a.asMap().keySet());
        a.asMap().forEach((k, t) -> assertThat(b.asMap().get(k)).as(k).isEqualTo(t));
        // 4-bit codes: about an eighth of float32, scales included.
        assertThat(PackedWeights.payloadBytes(tensors.get("conv1.weight")))
                .isLessThan(PackedWeights.payloadBytes(new EncodedTensor.Dense(w)) / 7);
        assertThatThrownBy(() -> PackedWeights.fromBytes(new byte[] {1, 2, 3, 4, 0, 0, 0, 0}))
                .hasMessageContaining("bad magic");
    }

    @Test
    void denseWeightsRoundTrip() {
        Weights w = new Weights(Map.of("fc.weight", QuantizationMathTest.gaussianForTests(5, 3, 4)));
        PackedWeights back = PackedWeights.fromBytes(PackedWeights.dense(w).toBytes());
        assertThat(back.decode().asMap()).isEqualTo(w.asMap());
        assertThat(back.compressedBitsPerValue()).isNaN();
    }

    @Test
    void quantizedCodesAreEntropyCodedAndFloat32StaysRaw() {
        // 8-bit codes of a bell-shaped tensor use the middle of their range most: fewer than 8 bits of information.
        Tensor w = QuantizationMathTest.gaussianForTests(6, 64, 32, 3, 3);
        QuantScheme int8 = new QuantScheme(8, true, true);
        EncodedTensor q = EncodedTensor.Quantized.of(w, int8, UniformQuantizer.minMax(w, int8));
        PackedWeights packed = new PackedWeights(Map.of("conv.weight", q), Map.of());
        byte[] file = packed.toBytes();
        assertThat(file.length).isLessThan((int) (PackedWeights.payloadBytes(q) * 0.95));
        PackedWeights back = PackedWeights.fromBytes(file);
        assertThat(back.decode().asMap()).isEqualTo(packed.decode().asMap());
        assertThat(back.toBytes()).isEqualTo(file);
        // Codes spread evenly over their range carry their full width: stored as they are.
        SplittableRandom random = new SplittableRandom(7);
        float[] flat = new float[w.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) random.nextDouble(-1, 1);
        }
        Tensor uniform = new Tensor(w.shape(), flat);
        EncodedTensor u = EncodedTensor.Quantized.of(uniform, int8, UniformQuantizer.minMax(uniform, int8));
        assertThat(new PackedWeights(Map.of("conv.weight", u), Map.of()).toBytes().length)
                .isGreaterThan((int) PackedWeights.payloadBytes(u));
        // A cut file is refused with a message, not an exception from deep inside a decoder.
        byte[] cut = java.util.Arrays.copyOf(file, file.length - 100);
        assertThatThrownBy(() -> PackedWeights.fromBytes(cut)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PackedWeights.FILE_NAME);
    }
}
