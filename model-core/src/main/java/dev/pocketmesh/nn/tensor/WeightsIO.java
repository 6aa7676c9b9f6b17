package dev.pocketmesh.nn.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weights on disk as NumPy {@code .npz} (one float32 array per {@code <layer>.<param>}), so a stored model can be
 * opened with {@code numpy.load} as well as by PocketMesh. The bytes of this file are what reports call the
 * model's size.
 */
public final class WeightsIO {
    public static final String FILE_NAME = "weights.npz";

    private WeightsIO() {
    }

    public static byte[] toNpz(Weights weights) {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDList list = new NDList();
            for (Map.Entry<String, Tensor> e : weights.asMap().entrySet()) {
                Tensor t = e.getValue();
                long[] shape = new long[t.rank()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.dim(i);
                }
                NDArray array = manager.create(t.data(), new Shape(shape));
                array.setName(e.getKey());
                list.add(array);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.encode(out, NDList.Encoding.NPZ);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Weights fromNpz(byte[] npz) {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDList list = NDList.decode(manager, npz);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (NDArray array : list) {
                if (array.getName() == null) {
                    throw new IllegalArgumentException("weights file has an unnamed array");
                }
                long[] s = array.getShape().getShape();
                int[] shape = new int[s.length];
                for (int i = 0; i < s.length; i++) {
                    shape[i] = Math.toIntExact(s[i]);
                }
                tensors.put(array.getName(), new Tensor(shape, array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .toFloatArray()));
            }
            return new Weights(tensors);
        }
    }
}
