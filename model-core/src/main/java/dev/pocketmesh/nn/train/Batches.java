package dev.pocketmesh.nn.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.pocketmesh.nn.data.ImageSet;

/** Copies examples of an {@link ImageSet} into NDArrays, batch by batch. */
public final class Batches {
    private Batches() {
    }

    /** Images {@code order[from..to)} as one N x C x H x W array. */
    public static NDArray images(NDManager manager, ImageSet set, int[] order, int from, int to) {
        int per = Math.toIntExact(set.shape().elements());
        float[] buffer = new float[(to - from) * per];
        float[] pixels = set.pixels();
        for (int i = from; i < to; i++) {
            System.arraycopy(pixels, order[i] * per, buffer, (i - from) * per, per);
        }
        return manager.create(buffer, new Shape(to - from, set.shape().channels(), set.shape().height(),
                set.shape().width()));
    }

    /** Labels {@code order[from..to)} as a float vector (DJL's sparse cross-entropy takes class indices). */
    public static NDArray labels(NDManager manager, ImageSet set, int[] order, int from, int to) {
        float[] buffer = new float[to - from];
        int[] labels = set.labels();
        for (int i = from; i < to; i++) {
            buffer[i - from] = labels[order[i]];
        }
        return manager.create(buffer);
    }
}
