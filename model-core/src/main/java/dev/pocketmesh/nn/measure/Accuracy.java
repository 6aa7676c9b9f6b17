package dev.pocketmesh.nn.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.data.Permutations;
import dev.pocketmesh.nn.train.Batches;
import java.util.function.UnaryOperator;

/** Top-1 and top-5 accuracy of a network's logits over a labelled set. */
public record Accuracy(double top1, double top5, int examples) {

    /** Logits of the examples {@code [from, to)} of the set being scored, row-major (to - from) x classes. */
    @FunctionalInterface
    public interface Logits {
        float[] of(int from, int to);
    }

    /** Scores {@code set} batch by batch with logits from any runtime. */
    public static Accuracy of(ImageSet set, int batchSize, int classes, Logits logits) {
        int n = set.size();
        long top1 = 0;
        long top5 = 0;
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            float[] values = logits.of(from, to);
            if (values.length != (to - from) * classes) {
                throw new IllegalStateException("expected " + (to - from) + " x " + classes + " logits, got "
                        + values.length + " values");
            }
            for (int i = from; i < to; i++) {
                int label = set.labels()[i];
                int base = (i - from) * classes;
                float own = values[base + label];
                int higher = 0;
                for (int c = 0; c < classes; c++) {
                    // Ties count against the example, so a constant output scores 0, not 100 %.
                    if (c != label && values[base + c] >= own) {
                        higher++;
                    }
                }
                if (higher == 0) {
                    top1++;
                }
                if (higher < 5) {
                    top5++;
                }
            }
        }
        return new Accuracy(n == 0 ? 0 : (double) top1 / n, n == 0 ? 0 : (double) top5 / n, n);
    }

    /**
     * @param forward a DJL network in inference mode: a batch of images to logits
     */
    public static Accuracy of(ImageSet set, int batchSize, int classes, NDManager manager,
            UnaryOperator<NDList> forward) {
        int[] order = Permutations.identity(set.size());
        return of(set, batchSize, classes, (from, to) -> {
            try (NDManager batch = manager.newSubManager()) {
                NDArray images = Batches.images(batch, set, order, from, to);
                return forward.apply(new NDList(images)).singletonOrThrow().toFloatArray();
            }
        });
    }
}
