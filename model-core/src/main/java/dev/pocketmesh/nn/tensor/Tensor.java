package dev.pocketmesh.nn.tensor;

import java.util.Arrays;

/**
 * A dense float tensor on the host, row-major (C order), with its shape. The portable form of a model's weights
 * between DJL (training, inference) and the host-side edits of compression (channel slicing, reconstruction).
 * Immutable by convention: methods return new tensors, callers must not write into {@link #data()}.
 */
public record Tensor(int[] shape, float[] data) {

    public Tensor {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + data.length);
        }
    }

    public static Tensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return new Tensor(shape, new float[Math.toIntExact(n)]);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return data.length;
    }

    /** Values per index of axis 0 (e.g. one output channel of a conv weight). */
    public int stride0() {
        return shape.length == 0 || shape[0] == 0 ? 0 : data.length / shape[0];
    }

    /** The tensor restricted to the given indices of {@code axis}, in that order. */
    public Tensor select(int axis, int[] indices) {
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + shape.length);
        }
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int[] newShape = shape.clone();
        newShape[axis] = indices.length;
        float[] out = new float[outer * indices.length * inner];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            int base = o * shape[axis] * inner;
            for (int index : indices) {
                if (index < 0 || index >= shape[axis]) {
                    throw new IndexOutOfBoundsException("index " + index + " out of range for axis " + axis
                            + " of size " + shape[axis]);
                }
                System.arraycopy(data, base + index * inner, out, pos, inner);
                pos += inner;
            }
        }
        return new Tensor(newShape, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
