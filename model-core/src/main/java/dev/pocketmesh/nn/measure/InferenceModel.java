package dev.pocketmesh.nn.measure;

import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.data.ImageSet;

/**
 * A trained network loaded for inference in one runtime (DJL's PyTorch, ONNX Runtime): what the evaluator and the
 * benchmarks measure. Close it to free native memory.
 */
public interface InferenceModel extends AutoCloseable {
    NetSpec spec();

    /** The logits of images {@code [from, to)} of {@code set}, row-major: (to - from) x classes. */
    float[] logits(ImageSet set, int from, int to);

    /** A forward pass on {@code batch} images (N x C x H x W, row-major), ready to be repeated for timing. */
    TimedRun timed(float[] images, int batch);

    default Accuracy accuracy(ImageSet set, int batchSize) {
        return Accuracy.of(set, batchSize, spec().numClasses(), (from, to) -> logits(set, from, to));
    }

    @Override
    void close();

    /** One inference whose input is already in place; {@link #run()} includes reading the logits back. */
    interface TimedRun extends AutoCloseable {
        void run();

        @Override
        void close();
    }
}
