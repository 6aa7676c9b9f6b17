package dev.pocketmesh.nn.compress.transform;

import ai.djl.ndarray.NDArray;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.engine.Scalars;

/** Straight-through fake quantization on NDArrays, shared by the transforms and the network's quantized tensors. */
public final class FakeQuant {
    private FakeQuant() {
    }

    /** {@code round(v)} in the forward pass, identity in the backward pass. */
    static NDArray roundStraightThrough(NDArray v) {
        return v.add(v.round().sub(v).stopGradient());
    }

    /** A layer's input or output as the quantized model sees it; gradients pass where it was not clipped. */
    public static NDArray activation(NDArray x, ActivationQuant q) {
        NDArray v = Scalars.div(x, q.scale()).add(q.zeroPoint()).clip(0, q.qmax());
        return Scalars.mul(roundStraightThrough(v).sub(q.zeroPoint()), q.scale());
    }
}
