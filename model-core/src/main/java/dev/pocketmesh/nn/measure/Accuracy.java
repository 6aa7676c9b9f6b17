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

    /**
     * @param forward the network in inference mode: a batch of images to logits
     */
    public static Accuracy of(ImageSet set, int batchSize, NDManager manager, UnaryOperator<NDList> forward) {
        int n = set.size();
        int[] order = Permutations.identity(n);
        long top1 = 0;
        long top5 = 0;
        int classes = -1;
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            try (NDManager batch = manager.newSubManager()) {
                NDArray logits = forward.apply(new NDList(Batches.images(batch, set, order, from, to))).singletonOrThrow();
                classes = Math.toIntExact(logits.getShape().get(1));
                float[] values = logits.toFloatArray();
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
        }
        return new Accuracy(n == 0 ? 0 : (double) top1 / n, n == 0 ? 0 : (double) top5 / n, n);
    }
}
