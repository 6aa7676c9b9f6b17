package dev.pocketmesh.nn.compress.transform;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.build.SpecNetwork;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.BatchNormFolding;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.engine.Scalars;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.Arrays;
import java.util.List;

/**
 * Quantization-aware training of a conv whose batch norm stays in the network (Jacob et al. 2018, as PyTorch's
 * fused conv-BN QAT modules do it). The weight is quantized with the batch norm's scale {@code f = gamma /
 * sqrt(running var + eps)} folded in, as the deployed, folded layer will hold it, and the result is divided by
 * {@code f} again: {@code fq(w * f) / f}. The batch norm that follows then normalises with the batch's statistics
 * while training, and in inference computes exactly the folded, quantized layer.
 *
 * <p>Why not train the folded network: with nothing left to renormalise its layers, quantization-aware training of a
 * folded ResNet-20 diverged under distillation (top-1 to 10 %-20 % within a few hundred steps at learning rate
 * 0.005, with every loss and gradient finite). Keeping the batch norms is what lets the float network train at that
 * rate in the first place.
 *
 * <p>{@link #encode} takes the weight with its batch norm already folded in: the quantization recipe folds the
 * trained network ({@link BatchNormFolding}) before it stores it, and the stored codes are {@code fq(w * f)}'s.
 */
public final class BatchNormAwareQuantizer implements LayerTransform {
    /** Added to a scale factor smaller than this (a channel whose gamma is zero), so that dividing by it is finite. */
    private static final float SMALLEST_FACTOR = 1e-8f;

    private final LsqWeightQuantizer folded;
    private final String batchNorm;
    private Parameter gamma;
    private Parameter runningVar;

    /** @param folded quantizes the folded weight; {@code batchNorm} names the batch norm folded into this layer */
    public BatchNormAwareQuantizer(LsqWeightQuantizer folded, String batchNorm) {
        this.folded = folded;
        this.batchNorm = batchNorm;
    }

    @Override
    public List<Parameter> parameters() {
        return folded.parameters();
    }

    @Override
    public void bind(SpecNetwork network) {
        Block bn = network.parameterBlocks().get(batchNorm);
        if (bn == null) {
            throw new IllegalArgumentException("no batch norm '" + batchNorm + "' in " + network.spec().name());
        }
        gamma = bn.getParameters().get(Weights.GAMMA);
        runningVar = bn.getParameters().get(Weights.RUNNING_VAR);
    }

    /** The step sizes start from the folded weight: the one that is quantized. */
    @Override
    public void start(Tensor weight) {
        folded.start(BatchNormFolding.scaledRows(weight,
                BatchNormFolding.scales(gamma.getArray().toFloatArray(), runningVar.getArray().toFloatArray())));
    }

    @Override
    public NDArray weight(ParameterStore store, NDArray weight, boolean training) {
        NDArray g = LayerTransform.owned(weight, store.getValue(gamma, weight.getDevice(), training));
        NDArray v = store.getValue(runningVar, weight.getDevice(), training);
        NDArray f = g.div(v.add(Layer.BatchNorm.EPSILON).sqrt());
        f = f.add(Scalars.mul(f.abs().lt(SMALLEST_FACTOR).toType(f.getDataType(), false), SMALLEST_FACTOR));
        long[] column = new long[(int) weight.getShape().dimension()];
        Arrays.fill(column, 1);
        column[0] = weight.getShape().get(0);
        f = f.reshape(column);
        return folded.weight(store, weight.mul(f), training).div(f);
    }

    @Override
    public NDArray input(NDArray x, boolean training) {
        return folded.input(x, training);
    }

    /** {@code weight} is the folded one (see the class comment); stored as its learned-step codes. */
    @Override
    public EncodedTensor encode(Tensor weight) {
        return folded.encode(weight);
    }

    @Override
    public ActivationQuant inputQuant() {
        return folded.inputQuant();
    }
}
