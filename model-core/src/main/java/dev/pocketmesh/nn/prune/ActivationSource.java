package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;

/**
 * The activations reconstruction-based pruning fits to. {@link WeightPruner} asks, for every unit it prunes with
 * {@link ChannelCriterion#RECONSTRUCTION}, for the input of the one dense layer that consumes the unit's output,
 * on the network as pruned so far (so later units compensate for the error of earlier ones).
 */
@FunctionalInterface
public interface ActivationSource {
    /**
     * The input of the top-level layer {@code consumerLayer} when the network ({@code spec}, {@code weights}) runs
     * in inference mode (BatchNorm with running statistics) on N sample images:
     * <ul>
     *   <li>for a conv: [N, C, H, W], its input feature map;</li>
     *   <li>for a Linear after Flatten: [N, F], exactly what the Linear receives; the map before Flatten,
     *       [N, C, H, W] with C*H*W = F, is accepted too (Flatten is row-major).</li>
     * </ul>
     * Implementations should use the same sample images on every call. N of a few hundred is plenty: for a conv
     * consumer 10 output positions per image are sampled, for a Linear every image is one sample.
     */
    Tensor inputOf(String consumerLayer, NetSpec spec, Weights weights);
}
