package dev.pocketmesh.nn.build;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.TensorQuantization;
import dev.pocketmesh.nn.compress.transform.FakeQuant;
import dev.pocketmesh.nn.engine.Scalars;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link NetSpec} as one DJL block: the one builder from spec to runnable network. Layers run in spec order;
 * the outputs that a later {@link Layer.Add} reads are kept by name during the forward pass. Every layer with
 * parameters is a child block registered under its spec name ({@link #parameterBlocks()}), which is how
 * {@link NetWeights} maps parameters to {@code <layer>.<param>} names.
 */
public final class SpecNetwork extends AbstractBlock {
    private static final byte VERSION = 1;

    private final NetSpec spec;
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Block> parameterBlocks = new LinkedHashMap<>();
    private final Set<String> kept = new HashSet<>();
    private final Map<String, TransformedLayer> transformed = new LinkedHashMap<>();
    private final Map<String, ActivationQuant> outputs;

    /** One layer at run time: the block computing it, or for an Add the shortcut (null for identity). */
    private record Step(Layer layer, Block block, Block shortcutConv, Block shortcutBn) {
    }

    public SpecNetwork(NetSpec spec) {
        this(spec, Map.of());
    }

    /**
     * The network with some conv / linear layers (by name) run through a {@link LayerTransform}: how a compressed
     * model trains and runs.
     */
    public SpecNetwork(NetSpec spec, Map<String, ? extends LayerTransform> transforms) {
        this(spec, transforms, Map.of());
    }

    /**
     * The network with transformed layers and quantized tensors: {@code outputs} quantizes the output of the layers
     * it names (top-level layers or projection shortcut convs; see {@link TensorQuantization}) before any later
     * layer reads it.
     */
    public SpecNetwork(NetSpec spec, Map<String, ? extends LayerTransform> transforms,
            Map<String, ActivationQuant> outputs) {
        super(VERSION);
        Set<String> unknown = new java.util.TreeSet<>(transforms.keySet());
        Set<String> unknownOutputs = new java.util.TreeSet<>(outputs.keySet());
        ShapeInference.infer(spec); // refuse an invalid network before building anything
        this.spec = spec;
        this.outputs = Map.copyOf(outputs);
        for (Layer layer : spec.layers()) {
            if (layer instanceof Layer.Add add) {
                kept.add(add.from());
                Block conv = null;
                Block bn = null;
                if (add.shortcut() != null) {
                    conv = register(add.shortcut().conv().name(), parameterised(add.shortcut().conv(), transforms));
                    unknown.remove(add.shortcut().conv().name());
                    unknownOutputs.remove(add.shortcut().conv().name());
                    if (add.shortcut().bn() != null) {
                        bn = register(add.shortcut().bn().name(), batchNorm());
                    }
                }
                steps.add(new Step(layer, null, conv, bn));
            } else {
                Block block = layer instanceof Layer.Conv2d || layer instanceof Layer.Linear
                        ? parameterised(layer, transforms) : blockFor(layer);
                unknown.remove(layer.name());
                if (layer instanceof Layer.Conv2d || layer instanceof Layer.BatchNorm || layer instanceof Layer.Linear) {
                    register(layer.name(), block);
                } else {
                    addChildBlock(layer.name(), block);
                }
                steps.add(new Step(layer, block, null, null));
            }
            unknownOutputs.remove(layer.name());
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no conv or linear layer named " + unknown + " in " + spec.name());
        }
        if (!unknownOutputs.isEmpty()) {
            throw new IllegalArgumentException("no layer named " + unknownOutputs + " in " + spec.name()
                    + " to quantize the output of");
        }
        transformed.values().forEach(layer -> layer.transform().bind(this));
    }

    private Block parameterised(Layer layer, Map<String, ? extends LayerTransform> transforms) {
        LayerTransform transform = transforms.get(layer.name());
        if (transform == null) {
            return layer instanceof Layer.Conv2d c ? conv(c) : blockFor(layer);
        }
        TransformedLayer block = new TransformedLayer(layer, transform);
        transformed.put(layer.name(), block);
        return block;
    }

    /**
     * The network's weights as stored: each transformed layer's weight in its transform's encoding (read while the
     * network is open: learned step sizes and centroids live in it), every other tensor as float32, and the input
     * quantization of every layer that has one, and the network's quantized tensors.
     */
    public dev.pocketmesh.nn.compress.PackedWeights pack(dev.pocketmesh.nn.tensor.Weights raw) {
        Map<String, dev.pocketmesh.nn.compress.EncodedTensor> encoded = new LinkedHashMap<>();
        Map<String, dev.pocketmesh.nn.compress.ActivationQuant> inputs = new LinkedHashMap<>();
        raw.asMap().forEach((key, tensor) -> encoded.put(key, new dev.pocketmesh.nn.compress.EncodedTensor.Dense(tensor)));
        transformed.forEach((name, layer) -> {
            String key = dev.pocketmesh.nn.tensor.Weights.key(name, dev.pocketmesh.nn.tensor.Weights.WEIGHT);
            encoded.put(key, layer.transform().encode(raw.asMap().get(key)));
            if (layer.transform().inputQuant() != null) {
                inputs.put(name, layer.transform().inputQuant());
            }
        });
        return new dev.pocketmesh.nn.compress.PackedWeights(encoded, inputs, outputs);
    }

    /** The layers that run through a transform, by name. */
    public Map<String, TransformedLayer> transformedLayers() {
        return Collections.unmodifiableMap(transformed);
    }

    /**
     * Sets every transform up from its layer's weight in {@code weights} (once the network is initialized and holds
     * them), and freezes the weights of layers whose transform learns something else in their place.
     */
    public void startTransforms(dev.pocketmesh.nn.tensor.Weights weights) {
        for (Map.Entry<String, TransformedLayer> e : transformed.entrySet()) {
            TransformedLayer layer = e.getValue();
            layer.transform().start(weights.get(e.getKey(), dev.pocketmesh.nn.tensor.Weights.WEIGHT));
            if (!layer.transform().trainsWeight()) {
                layer.weightParameter().freeze(true);
            }
        }
    }

    public NetSpec spec() {
        return spec;
    }

    /** The blocks holding parameters, by layer name (projection shortcut convs and BNs by their own names). */
    public Map<String, Block> parameterBlocks() {
        return Collections.unmodifiableMap(parameterBlocks);
    }

    /** The DJL input shape for a batch of {@code batch} samples. */
    public Shape inputShape(long batch) {
        return djlShape(spec.input(), batch);
    }

    static Shape djlShape(dev.pocketmesh.model.Shape s, long batch) {
        return s.flat() ? new Shape(batch, s.channels()) : new Shape(batch, s.channels(), s.height(), s.width());
    }

    private Block register(String name, Block block) {
        parameterBlocks.put(name, block);
        return addChildBlock(name, block);
    }

    private static Block blockFor(Layer layer) {
        if (layer instanceof Layer.Conv2d c) {
            return conv(c);
        } else if (layer instanceof Layer.BatchNorm) {
            return batchNorm();
        } else if (layer instanceof Layer.Relu r && r.max() != null) {
            // The cap is a PyTorch-owned tensor: minimum's backward pass reads it (see Scalars).
            double cap = r.max();
            return new LambdaBlock(list -> {
                NDArray x = list.singletonOrThrow();
                return new NDList(Activation.relu(x).minimum(Scalars.of(x, cap)));
            });
        } else if (layer instanceof Layer.Relu) {
            return Activation.reluBlock();
        } else if (layer instanceof Layer.MaxPool p) {
            return Pool.maxPool2dBlock(new Shape(p.kernel(), p.kernel()), new Shape(p.stride(), p.stride()));
        } else if (layer instanceof Layer.AvgPool p) {
            return Pool.avgPool2dBlock(new Shape(p.kernel(), p.kernel()), new Shape(p.stride(), p.stride()));
        } else if (layer instanceof Layer.GlobalAvgPool) {
            // Keeps C x 1 x 1 (the spec's GlobalAvgPool output is still a feature map).
            return new LambdaBlock(x -> new NDList(x.singletonOrThrow().mean(new int[] {3}, true).mean(new int[] {2}, true)));
        } else if (layer instanceof Layer.Flatten) {
            return Blocks.batchFlattenBlock();
        } else if (layer instanceof Layer.Linear l) {
            return Linear.builder().setUnits(l.outFeatures()).optBias(l.bias()).build();
        }
        throw new IllegalArgumentException("no DJL block for layer type " + layer.getClass().getSimpleName());
    }

    private static Block conv(Layer.Conv2d c) {
        return Conv2d.builder()
                .setKernelShape(new Shape(c.kernel(), c.kernel()))
                .setFilters(c.outChannels())
                .optStride(new Shape(c.stride(), c.stride()))
                .optPadding(new Shape(c.padding(), c.padding()))
                .optGroups(c.groups())
                .optBias(c.bias())
                .build();
    }

    private static Block batchNorm() {
        // PyTorch's defaults: eps 1e-5, running statistics updated with weight 0.1 per batch.
        return BatchNorm.builder().optAxis(1).optEpsilon(Layer.BatchNorm.EPSILON).optMomentum(0.9f).build();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(run(store, inputs.singletonOrThrow(), steps.size(), training, params));
    }

    /**
     * Runs the network up to (not including) the top-level layer {@code layerName} and returns that layer's
     * input: the activations that reconstruction-based pruning fits the layer's weights to.
     */
    public NDArray inputOf(ParameterStore store, NDArray input, String layerName) {
        int index = spec.indexOf(layerName);
        if (index < 0) {
            throw new IllegalArgumentException("no top-level layer '" + layerName + "' in " + spec.name());
        }
        return run(store, input, index, false, null);
    }

    /**
     * Runs the network on {@code input} and returns the output of layer {@code name} (a top-level layer or a
     * projection shortcut's conv) as the later layers read it: the tensors that calibration measures.
     */
    public NDArray outputOf(ParameterStore store, NDArray input, String name) {
        int index = spec.indexOf(name);
        if (index >= 0) {
            return run(store, input, index + 1, false, null, null);
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).layer() instanceof Layer.Add add && add.shortcut() != null
                    && add.shortcut().conv().name().equals(name)) {
                return run(store, input, i + 1, false, null, name);
            }
        }
        throw new IllegalArgumentException("no layer '" + name + "' in " + spec.name());
    }

    private NDArray run(ParameterStore store, NDArray input, int stop, boolean training,
            PairList<String, Object> params) {
        return run(store, input, stop, training, params, null);
    }

    /**
     * The first {@code stop} layers on {@code input}, keeping only the outputs a later Add reads; returns the last
     * one's output, or the output of the projection shortcut named {@code shortcut} when that is not null.
     */
    private NDArray run(ParameterStore store, NDArray input, int stop, boolean training,
            PairList<String, Object> params, String shortcut) {
        Map<String, NDArray> saved = new HashMap<>();
        if (kept.contains(NetSpec.INPUT)) {
            saved.put(NetSpec.INPUT, input);
        }
        NDArray x = input;
        for (Step step : steps.subList(0, stop)) {
            if (step.layer() instanceof Layer.Add add) {
                NDArray other = saved.get(add.from());
                if (step.shortcutConv() != null) {
                    other = step.shortcutConv().forward(store, new NDList(other), training, params).singletonOrThrow();
                    if (step.shortcutBn() != null) {
                        other = step.shortcutBn().forward(store, new NDList(other), training, params)
                                .singletonOrThrow();
                    }
                    other = quantized(add.shortcut().conv().name(), other);
                    if (add.shortcut().conv().name().equals(shortcut)) {
                        return other;
                    }
                }
                x = x.add(other);
            } else {
                x = step.block().forward(store, new NDList(x), training, params).singletonOrThrow();
            }
            x = quantized(step.layer().name(), x);
            if (kept.contains(step.layer().name())) {
                saved.put(step.layer().name(), x);
            }
        }
        return x;
    }

    /** The output of layer {@code name} as the network computes with it: quantized when it is one of the outputs. */
    private NDArray quantized(String name, NDArray x) {
        ActivationQuant quant = outputs.get(name);
        return quant == null ? x : FakeQuant.activation(x, quant);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        Map<String, dev.pocketmesh.model.Shape> outputs = new HashMap<>();
        outputs.put(NetSpec.INPUT, spec.input());
        List<ShapeInference.LayerShape> shapes = ShapeInference.infer(spec);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            ShapeInference.LayerShape shape = shapes.get(i);
            if (step.layer() instanceof Layer.Add add) {
                if (step.shortcutConv() != null) {
                    Shape from = djlShape(outputs.get(add.from()), batch);
                    step.shortcutConv().initialize(manager, dataType, from);
                    if (step.shortcutBn() != null) {
                        step.shortcutBn().initialize(manager, dataType, djlShape(shape.out(), batch));
                    }
                }
            } else {
                step.block().initialize(manager, dataType, djlShape(shape.in(), batch));
            }
            outputs.put(step.layer().name(), shape.out());
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), spec.numClasses())};
    }

    @Override
    public String toString() {
        return "SpecNetwork(" + spec.name() + ", " + spec.layers().size() + " layers)";
    }
}
