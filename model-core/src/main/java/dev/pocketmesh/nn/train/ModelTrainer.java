package dev.pocketmesh.nn.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.MultiFactorTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.build.LayerTransform;
import dev.pocketmesh.nn.build.NetWeights;
import dev.pocketmesh.nn.build.SpecNetwork;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.data.Permutations;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.compress.ActivationQuant;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.measure.Accuracy;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains or fine-tunes a {@link NetSpec} on an {@link ImageSet} with DJL: softmax cross-entropy, SGD or Adam,
 * cosine / step / constant learning rate, weight decay, a seeded shuffle per epoch. With several devices each
 * batch is split across them and the gradients are summed (DJL's data-parallel trainer). After each epoch it
 * measures validation accuracy and tells the listener, which may also stop the run between batches.
 */
public final class ModelTrainer {
    private ModelTrainer() {
    }

    /** Called after every epoch, and between batches to ask whether to stop. */
    public interface Listener {
        void epochFinished(EpochStats stats, Weights weightsSoFar) throws Exception;

        /** Throws to stop training (e.g. the trial's lease was lost). */
        default void checkContinue() throws Exception {
        }

        /** Whether {@link #epochFinished} needs the weights (copying them to the host costs a little). */
        default boolean wantsWeights() {
            return false;
        }
    }

    /** @param skippedSteps optimiser steps skipped because their loss or gradients were not finite */
    public record EpochStats(int epoch, int epochs, double trainLoss, double trainAccuracy, double validationAccuracy,
            double validationTop5, double learningRate, double imagesPerSecond, long millis, int skippedSteps) {
    }

    /**
     * What compression adds to a training run: transforms on conv / linear layers (by name), a hook called before
     * every optimiser step (e.g. to update pruning masks), distillation from a teacher (null for none), the quantized
     * tensors of a quantized model (by the layer producing each, see {@code TensorQuantization}), and how the trained
     * network is stored.
     */
    public record Extras(Map<String, LayerTransform> transforms, StepHook beforeStep, Distillation distillation,
            Map<String, ActivationQuant> outputs, Packer packer) {
        public static final Extras NONE = new Extras(Map.of(), (network, update, total) -> {
        }, null);

        public Extras {
            transforms = Map.copyOf(transforms);
            outputs = Map.copyOf(outputs);
        }

        public Extras(Map<String, LayerTransform> transforms, StepHook beforeStep, Distillation distillation,
                Map<String, ActivationQuant> outputs) {
            this(transforms, beforeStep, distillation, outputs, SpecNetwork::pack);
        }

        public Extras(Map<String, LayerTransform> transforms, StepHook beforeStep, Distillation distillation) {
            this(transforms, beforeStep, distillation, Map.of());
        }

        public Extras withDistillation(Distillation teacher) {
            return new Extras(transforms, beforeStep, teacher, outputs, packer);
        }
    }

    /** Turns the trained network into the weights as stored, while the network (and its transforms) are open. */
    public interface Packer {
        PackedWeights pack(SpecNetwork network, Weights trained);
    }

    public interface StepHook {
        /** @param update the 0-based optimiser step about to run, of {@code totalUpdates} */
        void beforeStep(SpecNetwork network, int update, int totalUpdates) throws Exception;
    }

    /**
     * Gradient clipping while training through compression transforms, where straight-through estimators and learned
     * quantizer steps can make a rare batch's gradient spike (plain training never needed it).
     */
    static final float COMPRESSED_GRADIENT_CLIP = 1f;

    /**
     * Compressed training also skips a step whose loss or gradients are not finite rather than write NaN into every
     * weight: 4 of 14 full Fashion-MNIST QAT runs of LeNet-5 in the benchmark process went to NaN within one step
     * (never the same runs repeated under the tests, so not a deterministic bug we could find). More than this share of an epoch's steps skipped is a
     * divergence, reported as such.
     */
    static final double MAX_SKIPPED_SHARE = 0.05;

    /**
     * @param weights the network's weights as trained (a transformed layer's raw weight, before its transform)
     * @param packed  the weights as stored (by the {@link Extras#packer}): transformed layers encoded, the rest float32
     */
    public record Result(Weights weights, List<EpochStats> epochs, double imagesPerSecond, PackedWeights packed) {
        public double finalValidationAccuracy() {
            return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).validationAccuracy();
        }
    }

    /**
     * @param initial    weights to start from, or null for a fresh He-initialised network (seeded by the config)
     * @param validation measured after each epoch; null to skip
     */
    public static Result train(NetSpec spec, Weights initial, ImageSet train, ImageSet validation,
            TrainingConfig config, Device[] devices, Listener listener) throws Exception {
        return train(spec, initial, train, validation, config, devices, listener, 0);
    }

    /**
     * Resumes a run whose first {@code completedEpochs} epochs are already in {@code initial} (a checkpoint): the
     * learning-rate schedule and the per-epoch shuffles continue where they were, so the run ends as it would have
     * (up to the optimiser's momentum, which a checkpoint does not hold).
     */
    public static Result train(NetSpec spec, Weights initial, ImageSet train, ImageSet validation,
            TrainingConfig config, Device[] devices, Listener listener, int completedEpochs) throws Exception {
        return train(spec, initial, train, validation, config, devices, listener, completedEpochs, Extras.NONE);
    }

    /** Trains with compression {@code extras}; transforms need {@code initial} weights to start from. */
    public static Result train(NetSpec spec, Weights initial, ImageSet train, ImageSet validation,
            TrainingConfig config, Device[] devices, Listener listener, int completedEpochs, Extras extras)
            throws Exception {
        Engines.pytorch();
        if (!extras.transforms().isEmpty() && initial == null) {
            throw new IllegalArgumentException("compression transforms start from trained weights; none were given");
        }
        Engine.getInstance().setRandomSeed(Math.toIntExact(Math.floorMod(config.seed(), Integer.MAX_VALUE)));
        int n = train.size();
        if (n == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        int stepsPerEpoch = (n + config.batchSize() - 1) / config.batchSize();
        int totalSteps = Math.max(1, stepsPerEpoch * config.epochs());
        SpecNetwork network = new SpecNetwork(spec, extras.transforms(), extras.outputs());
        network.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
        Tracker rate = schedule(config, totalSteps);
        int resumeFrom = Math.max(0, Math.min(completedEpochs, config.epochs()));
        Distillation distillation = extras.distillation();
        Loss loss = distillation == null ? Loss.softmaxCrossEntropyLoss()
                : new DistillationLoss(distillation.temperature(), distillation.weight());
        DefaultTrainingConfig djlConfig = new DefaultTrainingConfig(loss)
                .optOptimizer(optimizer(config, rate, resumeFrom * stepsPerEpoch,
                        extras.transforms().isEmpty() ? 0 : COMPRESSED_GRADIENT_CLIP))
                .optDevices(devices);
        List<EpochStats> history = new ArrayList<>();
        long trainedImages = 0;
        long trainingNanos = 0;
        try (Model model = Model.newInstance(spec.name(), devices[0]);
                LoadedModel teacher = distillation == null ? null
                        : LoadedModel.load(distillation.teacher(), distillation.teacherWeights(), devices[0])) {
            model.setBlock(network);
            try (Trainer trainer = model.newTrainer(djlConfig)) {
                trainer.initialize(network.inputShape(Math.min(config.batchSize(), n)));
                if (initial != null) {
                    NetWeights.write(network, initial);
                    network.startTransforms(initial);
                }
                int update = resumeFrom * stepsPerEpoch;
                for (int epoch = resumeFrom + 1; epoch <= config.epochs(); epoch++) {
                    long start = System.nanoTime();
                    int[] order = Permutations.shuffled(n, config.seed() * 1_000_003L + epoch);
                    double lossSum = 0;
                    double correct = 0;
                    int skipped = 0;
                    boolean guarded = !extras.transforms().isEmpty();
                    for (int from = 0; from < n; from += config.batchSize()) {
                        listener.checkContinue();
                        extras.beforeStep().beforeStep(network, update, totalSteps);
                        int to = Math.min(n, from + config.batchSize());
                        NDManager batchManager = trainer.getManager().newSubManager();
                        NDArray images = Batches.images(batchManager, train, order, from, to);
                        NDList labels = new NDList(Batches.labels(batchManager, train, order, from, to));
                        if (teacher != null) {
                            // The teacher's logits travel as a second label, split across devices with the batch.
                            labels.add(teacher.forward(new NDList(images)).singletonOrThrow());
                        }
                        try (Batch batch = new Batch(batchManager, new NDList(images), labels, to - from,
                                Batchifier.STACK, Batchifier.STACK, from, n)) {
                            double[] lossAndCorrect = step(trainer, batch, guarded);
                            if (Double.isFinite(lossAndCorrect[0])) {
                                lossSum += lossAndCorrect[0];
                                correct += lossAndCorrect[1];
                            } else {
                                skipped++;
                            }
                        } finally {
                            batchManager.close();
                        }
                        update++;
                    }
                    long trainNanos = System.nanoTime() - start;
                    trainedImages += n;
                    trainingNanos += trainNanos;
                    Accuracy val = validation == null || validation.size() == 0 ? null
                            : Accuracy.of(validation, 256, spec.numClasses(), trainer.getManager(),
                                    trainer::evaluate);
                    EpochStats stats = new EpochStats(epoch, config.epochs(), lossSum / n, correct / n,
                            val == null ? Double.NaN : val.top1(), val == null ? Double.NaN : val.top5(),
                            rate.getNewValue(Math.max(0, update - 1)), n / (trainNanos / 1e9),
                            (System.nanoTime() - start) / 1_000_000, skipped);
                    if (!Double.isFinite(stats.trainLoss()) || skipped > Math.max(2, MAX_SKIPPED_SHARE * stepsPerEpoch)) {
                        throw new IllegalStateException(String.format(java.util.Locale.ROOT, "training diverged in "
                                + "epoch %d of %s: %d of %d steps had a loss or gradients that were not finite; lower "
                                + "training.learningRate", epoch, spec.name(), skipped, stepsPerEpoch));
                    }
                    history.add(stats);
                    listener.epochFinished(stats, listener.wantsWeights() ? NetWeights.read(network) : null);
                }
                Weights trained = NetWeights.read(network);
                return new Result(trained, history, trainingNanos == 0 ? 0 : trainedImages / (trainingNanos / 1e9),
                        extras.packer().pack(network, trained));
            }
        }
    }

    /**
     * One optimiser step over a batch split across the trainer's devices; returns {summed loss, correct}. When
     * {@code guarded}, a batch whose loss or gradients are not finite updates nothing and returns a NaN loss.
     */
    private static double[] step(Trainer trainer, Batch batch, boolean guarded) {
        double loss = 0;
        double correct = 0;
        Batch[] splits = batch.split(trainer.getDevices(), false);
        try (GradientCollector collector = trainer.newGradientCollector()) {
            for (Batch split : splits) {
                NDList labels = split.getLabels();
                NDList predictions = trainer.forward(split.getData(), labels);
                NDArray value = trainer.getLoss().evaluate(labels, predictions);
                collector.backward(value);
                loss += value.getFloat() * split.getSize();
                correct += predictions.singletonOrThrow().argMax(1).toType(DataType.FLOAT32, false)
                        .eq(labels.get(0)).sum().getLong();
            }
        }
        boolean finite = !guarded || (Double.isFinite(loss) && finiteGradients(trainer));
        if (finite) {
            trainer.step();
        } else {
            zeroGradients(trainer); // the optimiser step, which would have, does not run
        }
        if (splits.length > 1) {
            for (Batch split : splits) {
                split.close();
            }
        }
        return new double[] {finite ? loss : Double.NaN, correct};
    }

    /** Gradients accumulate until a step clears them: a skipped step's NaN would otherwise poison every next one. */
    private static void zeroGradients(Trainer trainer) {
        for (ai.djl.util.Pair<String, Parameter> p : trainer.getModel().getBlock().getParameters()) {
            if (p.getValue().requiresGradient()) {
                NDArray gradient = p.getValue().getArray().getGradient();
                gradient.set(new float[Math.toIntExact(gradient.size())]);
            }
        }
    }

    private static boolean finiteGradients(Trainer trainer) {
        for (ai.djl.util.Pair<String, Parameter> p : trainer.getModel().getBlock().getParameters()) {
            if (!p.getValue().requiresGradient()) {
                continue;
            }
            // A NaN or an infinity anywhere makes the sum non-finite; one small temporary per parameter.
            try (NDArray sum = p.getValue().getArray().getGradient().sum()) {
                if (!Float.isFinite(sum.getFloat())) {
                    return false;
                }
            }
        }
        return true;
    }

    static Tracker schedule(TrainingConfig config, int totalSteps) {
        float base = (float) config.learningRate();
        return switch (config.schedule()) {
            case "cosine" -> CosineTracker.builder().setBaseValue(base).optFinalValue(base * 0.01f)
                    .setMaxUpdates(totalSteps).build();
            case "step" -> MultiFactorTracker.builder().setBaseValue(base)
                    .setSteps(new int[] {Math.max(1, totalSteps / 2), Math.max(2, totalSteps * 3 / 4)})
                    .optFactor(0.1f).build();
            default -> Tracker.fixed(base);
        };
    }

    /**
     * @param clip when positive, every gradient element is clipped to [-clip, clip]
     */
    static Optimizer optimizer(TrainingConfig config, Tracker rate, int firstUpdate, float clip) {
        if (config.optimizer().equals("adam")) {
            var adam = Optimizer.adam().optLearningRateTracker(rate).optWeightDecays((float) config.weightDecay())
                    .optBeginNumUpdate(firstUpdate);
            return (clip > 0 ? adam.optClipGrad(clip) : adam).build();
        }
        var sgd = Optimizer.sgd().setLearningRateTracker(rate).optMomentum((float) config.momentum())
                .optWeightDecays((float) config.weightDecay()).optBeginNumUpdate(firstUpdate);
        return (clip > 0 ? sgd.optClipGrad(clip) : sgd).build();
    }
}
