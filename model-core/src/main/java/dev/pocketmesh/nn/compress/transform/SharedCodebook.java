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
 * on the trained weight. Fine-tuning then trains the centroids, not the weights (Deep Compression's centroid
 * fine-tuning); the assignment is fixed. A centroid's gradient is the mean of the gradients of the weights that
 * share it rather than their sum (which grows with the cluster: thousands of weights of a large layer share one
 * centroid and a summed gradient throws it far off at any usual learning rate).
 */
public final class SharedCodebook implements LayerTransform {
    private final int bits;
    private final int[] shape;
    private final Parameter centroids;
    private long[] indices;
    private float[] gradientScale;

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
        int[] members = new int[book.centroids().length];
        for (int i : book.indices()) {
            members[i]++;
        }
        gradientScale = new float[members.length];
        for (int c = 0; c < members.length; c++) {
            gradientScale[c] = 1f / Math.max(1, members[c]);
        }
    }

    @Override
    public NDArray weight(ParameterStore store, NDArray weight, boolean training) {
        NDArray c = LayerTransform.owned(weight, store.getValue(centroids, weight.getDevice(), training));
        // Forward value c, backward gradient divided by the cluster's size: c * g + stop(c - c * g).
        NDArray g = weight.getManager().create(gradientScale).toDevice(weight.getDevice(), false);
        c = c.mul(g).add(c.sub(c.mul(g)).stopGradient());
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
