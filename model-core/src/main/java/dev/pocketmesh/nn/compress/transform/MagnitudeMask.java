package dev.pocketmesh.nn.compress.transform;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Weight sparsification of one layer: the layer computes with {@code w * mask}, so pruned weights get no gradient
 * and stay pruned. The mask keeps whole blocks of {@code block} consecutive values of a row (1 = unstructured, or
 * 1xN blocks, which sparse kernels run faster); a block's score is the L1 norm of its kept values, so a block once
 * pruned stays pruned as the sparsity grows.
 */
public final class MagnitudeMask implements LayerTransform {
    private final int[] shape;
    private final int block;
    private final Function<Tensor, EncodedTensor> valueEncoding;
    private volatile float[] mask;

    /**
     * @param valueEncoding how the kept values are stored (float32, or quantized in a pipeline)
     */
    public MagnitudeMask(int[] shape, int block, Function<Tensor, EncodedTensor> valueEncoding) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        int row = size / shape[0];
        if (row % block != 0) {
            throw new IllegalArgumentException("rows of " + row + " values do not split into blocks of " + block);
        }
        this.shape = shape.clone();
        this.block = block;
        this.valueEncoding = valueEncoding;
        this.mask = new float[size];
        Arrays.fill(mask, 1f);
    }

    /** The block size that fits rows of {@code shape}: {@code wanted} if it divides a row, else 1 (unstructured). */
    public static int blockFor(int[] shape, int wanted) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        return (size / shape[0]) % wanted == 0 ? wanted : 1;
    }

    public int block() {
        return block;
    }

    /** The L1 norm of each block's kept values. */
    public float[] blockScores(Tensor weight) {
        float[] w = weight.data();
        float[] scores = new float[w.length / block];
        for (int b = 0; b < scores.length; b++) {
            float s = 0;
            for (int i = b * block; i < (b + 1) * block; i++) {
                s += Math.abs(w[i] * mask[i]);
            }
            scores[b] = s;
        }
        return scores;
    }

    /** Prunes the weakest blocks until {@code sparsity} of the values are pruned (never un-prunes). */
    public void pruneTo(Tensor weight, double sparsity) {
        float[] scores = blockScores(weight);
        int prune = (int) Math.round(sparsity * scores.length);
        if (prune <= 0) {
            return;
        }
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        float threshold = sorted[Math.min(prune, sorted.length) - 1];
        // Blocks at the threshold are pruned in order until the count is reached (ties: zero-score blocks).
        int pruned = 0;
        float[] next = mask.clone();
        for (int b = 0; b < scores.length; b++) {
            boolean cut = scores[b] < threshold || (scores[b] == threshold && pruned < prune);
            if (cut) {
                pruned++;
                Arrays.fill(next, b * block, (b + 1) * block, 0f);
            }
        }
        mask = next;
    }

    /** Prunes every block whose score is below {@code threshold} (global magnitude pruning across layers). */
    public void pruneBelow(Tensor weight, float threshold) {
        float[] scores = blockScores(weight);
        float[] next = mask.clone();
        for (int b = 0; b < scores.length; b++) {
            if (scores[b] < threshold) {
                Arrays.fill(next, b * block, (b + 1) * block, 0f);
            }
        }
        mask = next;
    }

    /** Pruned values over all values. */
    public double sparsity() {
        long zeros = 0;
        for (float m : mask) {
            zeros += m == 0f ? 1 : 0;
        }
        return (double) zeros / mask.length;
    }

    @Override
    public void start(Tensor weight) {
        // Values that are already exactly zero (a sparse model being fine-tuned again) stay pruned.
        float[] next = mask.clone();
        float[] w = weight.data();
        for (int b = 0; b < w.length / block; b++) {
            boolean zero = true;
            for (int i = b * block; i < (b + 1) * block && zero; i++) {
                zero = w[i] == 0f;
            }
            if (zero) {
                Arrays.fill(next, b * block, (b + 1) * block, 0f);
            }
        }
        mask = next;
    }

    @Override
    public NDArray weight(ParameterStore store, NDArray weight, boolean training) {
        long[] dims = Arrays.stream(shape).asLongStream().toArray();
        NDArray m = weight.getManager().create(mask, new Shape(dims)).toDevice(weight.getDevice(), false);
        return weight.mul(m);
    }

    /** The weight with the mask applied, on the host. */
    public Tensor masked(Tensor weight) {
        float[] w = weight.data().clone();
        for (int i = 0; i < w.length; i++) {
            w[i] *= mask[i];
        }
        return new Tensor(weight.shape(), w);
    }

    @Override
    public EncodedTensor encode(Tensor weight) {
        return EncodedTensor.Sparse.of(masked(weight), block, valueEncoding);
    }
}
