package dev.pocketmesh.nn.compress.transform;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.compress.KMeansCodebook;
import dev.pocketmesh.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Non-uniform quantization of one layer by weight sharing: every weight is one of 2^bits centroids, found by k-means
 * on the trained weight. Fine-tuning then trains the centroids, not the weights: each centroid's gradient is the sum
 * of the gradients of the weights that share it (Deep Compression's centroid fine-tuning); the assignment is fixed.
 */
public final class SharedCodebook implements LayerTransform {
    private final int bits;
    private final int[] shape;
    private final Parameter centroids;
    private long[] indices;

    public SharedCodebook(int bits, int[] shape) {
        this.bits = bits;
        this.shape = shape.clone();
        this.centroids = Parameter.builder().setName("centroids").setType(Parameter.Type.OTHER)
                .optShape(new Shape(1L << bits)).optInitializer(new ConstantInitializer(0f)).build();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(centroids);
    }

    @Override
    public boolean trainsWeight() {
        return false;
    }

    @Override
    public void start(Tensor weight) {
        KMeansCodebook.Codebook book = KMeansCodebook.fit(weight.data(), bits, 30);
        centroids.getArray().set(book.centroids());
        indices = Arrays.stream(book.indices()).asLongStream().toArray();
    }

    @Override
    public NDArray weight(ParameterStore store, NDArray weight, boolean training) {
        NDArray c = LayerTransform.owned(weight, store.getValue(centroids, weight.getDevice(), training));
        NDArray index = weight.getManager().create(indices).toDevice(weight.getDevice(), false);
        return c.take(index).reshape(Arrays.stream(shape).asLongStream().toArray());
    }

    @Override
    public EncodedTensor encode(Tensor weight) {
        int[] assignment = Arrays.stream(indices).mapToInt(i -> (int) i).toArray();
        return EncodedTensor.Codebook.of(shape, new KMeansCodebook.Codebook(centroids.getArray().toFloatArray(),
                assignment), bits);
    }
}
