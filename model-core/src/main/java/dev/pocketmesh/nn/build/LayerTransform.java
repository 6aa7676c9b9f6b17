package dev.pocketmesh.nn.build;

import ai.djl.ndarray.NDArray;
import dev.pocketmesh.nn.engine.Scalars;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.tensor.Tensor;
import java.util.List;

/**
 * What compression does to one conv or linear layer while it runs: the weight the layer computes with (fake-quantized,
 * masked, shared through a codebook) and, optionally, its quantized input. The same transform serves training
 * (gradients pass through it: straight-through estimators, masks, centroid updates) and inference, and it says how
 * the trained weight is stored ({@link #encode}), so that a stored model decodes to exactly what was trained.
 */
public interface LayerTransform {

    /** Values this transform learns alongside the layer (step sizes, centroids); they are not part of the weights. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /** False when the layer's own weight is not trained (a codebook layer learns its centroids instead). */
    default boolean trainsWeight() {
        return true;
    }

    /**
     * Called once the network that runs this transform is built: a transform that computes with another layer's
     * parameters (the batch norm it is folded with) finds them here.
     */
    default void bind(SpecNetwork network) {
    }

    /** Sets the transform up from the layer's weight once the network holds it (before any forward pass). */
    default void start(Tensor weight) {
    }

    /**
     * The weight the layer computes with. {@code weight} belongs to the batch's manager (see {@link #owned}); values
     * derived from it are freed with the batch.
     */
    default NDArray weight(ParameterStore store, NDArray weight, boolean training) {
        return weight;
    }

    /**
     * {@code a} (e.g. a parameter's array) as an array of {@code like}'s manager, differentiable with respect to
     * {@code a}. Operations on a parameter's own array would leave their results with the model's manager until it
     * closes, one set per training step.
     */
    static NDArray owned(NDArray like, NDArray a) {
        return Scalars.of(like, 1).toDevice(a.getDevice(), false).mul(a);
    }

    /** The layer's input as the compressed model sees it. */
    default NDArray input(NDArray x, boolean training) {
        return x;
    }

    /** The trained weight as stored; {@code decode()} must give the values {@link #weight} computes with. */
    EncodedTensor encode(Tensor weight);

    /** How this layer's input is quantized at run time, or null when it stays float. */
    default ActivationQuant inputQuant() {
        return null;
    }
}
