package dev.pocketmesh.nn.build;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.Set;

/**
 * A conv or linear layer run through a {@link LayerTransform}. Its own parameters are named as DJL's
 * {@code Conv2d} / {@code Linear} name theirs ({@code weight}, {@code bias}), so weights move in and out of it
 * like any other layer's; the transform's parameters sit beside them and are not part of the weights.
 */
public final class TransformedLayer extends AbstractBlock {
    private static final Set<String> LAYER_PARAMETERS = Set.of(Weights.WEIGHT, Weights.BIAS);

    private final Layer layer;
    private final LayerTransform transform;
    private final Parameter weight;
    private final Parameter bias;

    TransformedLayer(Layer layer, LayerTransform transform) {
        this.layer = layer;
        this.transform = transform;
        Shape weightShape;
        Integer biasSize;
        if (layer instanceof Layer.Conv2d c) {
            weightShape = new Shape(c.outChannels(), c.inChannels() / c.groups(), c.kernel(), c.kernel());
            biasSize = c.bias() ? c.outChannels() : null;
        } else if (layer instanceof Layer.Linear l) {
            weightShape = new Shape(l.outFeatures(), l.inFeatures());
            biasSize = l.bias() ? l.outFeatures() : null;
        } else {
            throw new IllegalArgumentException(layer.name() + ": only conv and linear layers can be transformed");
        }
        weight = addParameter(Parameter.builder().setName(Weights.WEIGHT).setType(Parameter.Type.WEIGHT)
                .optShape(weightShape).optInitializer(new XavierInitializer()).build());
        bias = biasSize == null ? null : addParameter(Parameter.builder().setName(Weights.BIAS)
                .setType(Parameter.Type.BIAS).optShape(new Shape(biasSize)).build());
        for (Parameter p : transform.parameters()) {
            addParameter(p);
        }
    }

    /** Whether {@code name} is one of the layer's weights rather than the transform's. */
    static boolean isLayerParameter(String name) {
        return LAYER_PARAMETERS.contains(name);
    }

    public Layer layer() {
        return layer;
    }

    public LayerTransform transform() {
        return transform;
    }

    public Parameter weightParameter() {
        return weight;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = transform.input(inputs.singletonOrThrow(), training);
        NDArray w = transform.weight(store, LayerTransform.owned(x, store.getValue(weight, x.getDevice(), training)),
                training);
        NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), training);
        if (layer instanceof Layer.Conv2d c) {
            return Conv2d.conv2d(x, w, b, new Shape(c.stride(), c.stride()), new Shape(c.padding(), c.padding()),
                    new Shape(1, 1), c.groups());
        }
        return Linear.linear(x, w, b);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (layer instanceof Layer.Conv2d c) {
            long h = (in.get(2) + 2L * c.padding() - c.kernel()) / c.stride() + 1;
            long w = (in.get(3) + 2L * c.padding() - c.kernel()) / c.stride() + 1;
            return new Shape[] {new Shape(in.get(0), c.outChannels(), h, w)};
        }
        return new Shape[] {new Shape(in.get(0), ((Layer.Linear) layer).outFeatures())};
    }

    @Override
    public String toString() {
        return "TransformedLayer(" + layer.name() + ")";
    }
}
