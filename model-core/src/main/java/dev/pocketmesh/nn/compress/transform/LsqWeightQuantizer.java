package dev.pocketmesh.nn.compress.transform;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.Calibration;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.compress.QuantParams;
import dev.pocketmesh.nn.compress.QuantScheme;
import dev.pocketmesh.nn.compress.UniformQuantizer;
import dev.pocketmesh.nn.tensor.Tensor;
import java.util.List;

/**
 * Quantization-aware training of a layer's weight with a learned step size (LSQ, Esser et al. 2020): the layer
 * computes with {@code round(clip(w / s, qmin, qmax)) * s}; the rounding passes gradients straight through to
 * {@code w}, and {@code s} (one per output channel, or one per layer) learns from the same loss, its gradient scaled
 * by {@code 1 / sqrt(values per step * qmax)} as the paper prescribes. Steps start at the per-channel range that
 * minimises the quantization error ({@link Calibration#MSE}). Symmetric schemes only: the zero point stays 0.
 */
public final class LsqWeightQuantizer implements LayerTransform {
    private final QuantScheme scheme;
    private final int[] weightShape;
    private final ActivationQuant input;
    private final Parameter step;
    private final float gradientScale;

    /** @param input how the layer's input is quantized, or null to leave it float */
    public LsqWeightQuantizer(QuantScheme scheme, int[] weightShape, ActivationQuant input) {
        if (!scheme.symmetric()) {
            throw new IllegalArgumentException("learned step sizes need a symmetric scheme");
        }
        this.scheme = scheme;
        this.weightShape = weightShape.clone();
        this.input = input;
        int channels = scheme.perChannel() ? weightShape[0] : 1;
        int values = 1;
        for (int d : weightShape) {
            values *= d;
        }
        this.gradientScale = (float) (1 / Math.sqrt((double) values / channels * scheme.qmax()));
        this.step = Parameter.builder().setName("stepSize").setType(Parameter.Type.OTHER)
                .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(1f)).build();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(step);
    }

    @Override
    public void start(Tensor weight) {
        step.getArray().set(UniformQuantizer.calibrated(weight, scheme, Calibration.MSE, 0).scale());
    }

    @Override
    public NDArray weight(ParameterStore store, NDArray weight, boolean training) {
        NDArray w = weight;
        NDArray s = LayerTransform.owned(w, store.getValue(step, weight.getDevice(), training));
        // Forward value s, backward gradient scaled by g: s * g + stop(s - s * g).
        NDArray scaled = s.mul(gradientScale).add(s.sub(s.mul(gradientScale)).stopGradient());
        long[] broadcast = new long[weightShape.length];
        java.util.Arrays.fill(broadcast, 1);
        broadcast[0] = scheme.perChannel() ? weightShape[0] : 1;
        scaled = scaled.reshape(broadcast);
        NDArray v = w.div(scaled).clip(scheme.qmin(), scheme.qmax());
        return FakeQuant.roundStraightThrough(v).mul(scaled);
    }

    @Override
    public NDArray input(NDArray x, boolean training) {
        return input == null ? x : FakeQuant.activation(x, input);
    }

    /** The stored codes use the learned steps as they are now. */
    @Override
    public EncodedTensor encode(Tensor weight) {
        float[] steps = step.getArray().toFloatArray();
        return EncodedTensor.Quantized.of(weight, scheme, new QuantParams(steps, new int[steps.length]));
    }

    @Override
    public ActivationQuant inputQuant() {
        return input;
    }
}
