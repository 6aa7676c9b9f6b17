package dev.pocketmesh.nn.measure;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.build.NetWeights;
import dev.pocketmesh.nn.build.SpecNetwork;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.data.Permutations;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.train.Batches;

/** A network with its weights in DJL's PyTorch engine, ready for inference on one device. */
public final class LoadedModel implements InferenceModel {
    private final Model model;
    private final SpecNetwork network;
    private final ParameterStore store;
    private final NDManager manager;

    private LoadedModel(Model model, SpecNetwork network) {
        this.model = model;
        this.network = network;
        this.manager = model.getNDManager();
        this.store = new ParameterStore(manager, false);
    }

    public static LoadedModel load(NetSpec spec, Weights weights, Device device) {
        return load(spec, weights, java.util.Map.of(), device);
    }

    /**
     * A stored model as it runs: a packed model's decoded weights with its layers' input quantization and its
     * quantized tensors.
     */
    public static LoadedModel load(dev.pocketmesh.nn.learn.ModelFiles files, Device device) {
        return load(files.spec(), files.weights(), files.runtimeTransforms(), files.runtimeOutputs(), device);
    }

    public static LoadedModel load(NetSpec spec, Weights weights,
            java.util.Map<String, ? extends dev.pocketmesh.nn.build.LayerTransform> transforms, Device device) {
        return load(spec, weights, transforms, java.util.Map.of(), device);
    }

    /** @param outputs quantized tensors by the layer producing each (see {@code SpecNetwork}) */
    public static LoadedModel load(NetSpec spec, Weights weights,
            java.util.Map<String, ? extends dev.pocketmesh.nn.build.LayerTransform> transforms,
            java.util.Map<String, dev.pocketmesh.nn.compress.ActivationQuant> outputs, Device device) {
        Engines.pytorch();
        Model model = Model.newInstance(spec.name(), device);
        try {
            SpecNetwork network = new SpecNetwork(spec, transforms, outputs);
            model.setBlock(network);
            network.initialize(model.getNDManager(), DataType.FLOAT32, network.inputShape(1));
            NetWeights.write(network, weights);
            return new LoadedModel(model, network);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public NetSpec spec() {
        return network.spec();
    }

    public NDManager manager() {
        return manager;
    }

    /** Logits for a batch of images (inference mode: BN uses its running statistics). */
    public NDList forward(NDList images) {
        return network.forward(store, images, false);
    }

    @Override
    public float[] logits(ImageSet set, int from, int to) {
        try (NDManager batch = manager.newSubManager()) {
            NDArray images = Batches.images(batch, set, Permutations.identity(to), from, to);
            return forward(new NDList(images)).singletonOrThrow().toFloatArray();
        }
    }

    @Override
    public TimedRun timed(float[] images, int batch) {
        NDArray input = manager.create(images, network.inputShape(batch));
        return new TimedRun() {
            @Override
            public void run() {
                try (NDManager scratch = manager.newSubManager()) {
                    NDList out = forward(new NDList(input));
                    out.singletonOrThrow().toFloatArray(); // waits for the device
                    out.attach(scratch);
                }
            }

            @Override
            public void close() {
                input.close();
            }
        };
    }

    /**
     * The input of top-level layer {@code layer} for the first {@code count} images of {@code set}, on the host.
     * Reconstruction-based pruning fits a layer's weights to these activations.
     */
    public Tensor inputOf(String layer, ImageSet set, int count) {
        return onHost(set, count, images -> network.inputOf(store, images, layer));
    }

    /**
     * The output of layer {@code layer} (top-level, or a projection shortcut's conv) for the first {@code count}
     * images of {@code set}, on the host: what calibration measures for a quantized tensor.
     */
    public Tensor outputOf(String layer, ImageSet set, int count) {
        return onHost(set, count, images -> network.outputOf(store, images, layer));
    }

    private Tensor onHost(ImageSet set, int count, java.util.function.UnaryOperator<NDArray> tensor) {
        int n = Math.min(count, set.size());
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = tensor.apply(Batches.images(sub, set, Permutations.identity(n), 0, n));
            long[] s = x.getShape().getShape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                shape[i] = Math.toIntExact(s[i]);
            }
            return new Tensor(shape, x.toFloatArray());
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
