package dev.pocketmesh.nn.compress.transform;

import ai.djl.ndarray.NDArray;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.tensor.Tensor;

/**
 * A stored quantized layer at run time: its weight is already the decoded one, only its input is quantized as it was
 * in training or calibration. How the evaluator runs a {@code PackedWeights} model exactly.
 */
public record InputQuantization(ActivationQuant quant) implements LayerTransform {
    @Override
    public NDArray input(NDArray x, boolean training) {
        return FakeQuant.activation(x, quant);
    }

    @Override
    public EncodedTensor encode(Tensor weight) {
        return new EncodedTensor.Dense(weight);
    }

    @Override
    public ActivationQuant inputQuant() {
        return quant;
    }
}
