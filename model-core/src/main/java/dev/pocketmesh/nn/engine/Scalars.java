package dev.pocketmesh.nn.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Products and quotients with a number that autograd can differentiate safely.
 *
 * <p>DJL's {@code NDArray.mul(Number)} and {@code div(Number)} wrap the number in a tensor whose storage is a Java
 * direct buffer ({@code from_blob}) and close it as soon as the operation returns. PyTorch's autograd keeps that
 * tensor to compute the backward pass, and once Java's garbage collector has freed the buffer, the gradient is
 * computed with whatever the memory holds by then. Compressed training, which multiplies by step sizes and
 * temperatures, gave different losses from run to run and collapsed at random because of it (float training, with
 * no such products, did not). Here the number becomes a tensor PyTorch allocates itself ({@code full}), which
 * autograd keeps alive by reference count. Sums and differences with a number are safe as DJL does them: their
 * backward pass does not read the number.
 */
public final class Scalars {
    private Scalars() {
    }

    /** {@code x * value}. */
    public static NDArray mul(NDArray x, double value) {
        return x.mul(of(x, value));
    }

    /** {@code x / value}. */
    public static NDArray div(NDArray x, double value) {
        return x.div(of(x, value));
    }

    /** A 0-d tensor of {@code value} in PyTorch's own memory, on {@code like}'s manager, type and device. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType()).toDevice(like.getDevice(), false);
    }
}
