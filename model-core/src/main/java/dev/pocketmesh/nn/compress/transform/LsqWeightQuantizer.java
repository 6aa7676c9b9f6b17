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
import dev.pocketmesh.nn.engine.Scalars;
import dev.pocketmesh.nn.tensor.Tensor;
import java.util.List;

/**
 * Quantization-aware training of a layer's weight with a learned step size (LSQ, Esser et al. 2020): the layer
 * computes with {@code round(clip(w / s, qmin, qmax)) * s}; the rounding passes gradients straight through to
 * {@code w}, and {@code s} (one per output channel, or one per layer) learns from the same loss, its gradient scaled
 * by {@code 1 / sqrt(values per step * qmax)} as the paper prescribes. Steps start at the per-channel range that
 * minimises the quantization error ({@link Calibration#MSE}) and are learned in log space, {@code s = s0 *
 * exp(theta)}, so that they stay positive and move relative to their size, within a factor 4 of the start. Symmetric
 * schemes only: the zero point stays 0.
 */
public final class LsqWeightQuantizer implements LayerTransform {
    /** A learned step stays within 4x of its calibrated start: past that, training has gone astray, not the step. */
    private static final float MAX_LOG_CHANGE = (float) Math.log(4);

    private final QuantScheme scheme;
    private final int[] weightShape;
    private final ActivationQuant input;
    private final Parameter step;
    private final float gradientScale;
    private float[] initialSteps;

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
        this.step = Parameter.builder().setName("logStepSize").setType(Parameter.Type.OTHER)
                .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(0f)).build();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(step);
    }

    @Override
    public void start(Tensor weight) {
        initialSteps = UniformQuantizer.calibrated(weight, scheme, Calibration.MSE, 0).scale();
        step.getArray().set(new float[initialSteps.length]);
    }

    @Override
    public NDArray weight(ParameterStore store, NDArray weight, boolean training) {
        NDArray w = weight;
        // s = s0 * exp(theta): updates change the step relative to its size, so a step of 0.002 is not thrown
        // across zero or to many times its value by an update sized for the weights (which happened, seed-dependent).
        NDArray theta = LayerTransform.owned(w, store.getValue(step, weight.getDevice(), training));
        theta = Scalars.mul(theta, gradientScale).add(theta.sub(Scalars.mul(theta, gradientScale)).stopGradient());
        NDArray s0 = w.getManager().create(initialSteps).toDevice(weight.getDevice(), false);
        NDArray scaled = theta.clip(-MAX_LOG_CHANGE, MAX_LOG_CHANGE).exp().mul(s0);
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
        float[] theta = step.getArray().toFloatArray();
        float[] steps = new float[theta.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = (float) (initialSteps[i] * Math.exp(Math.max(-MAX_LOG_CHANGE, Math.min(MAX_LOG_CHANGE, theta[i]))));
        }
        return EncodedTensor.Quantized.of(weight, scheme, new QuantParams(steps, new int[steps.length]));
    }

    @Override
    public ActivationQuant inputQuant() {
        return input;
    }
}
