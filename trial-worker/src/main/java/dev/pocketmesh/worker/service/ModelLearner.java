package dev.pocketmesh.worker.service;

import ai.djl.Device;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.DatasetLoader;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.learn.PretrainedWeights;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.tensor.WeightsIO;
import dev.pocketmesh.nn.train.Distillation;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import dev.pocketmesh.spec.JobSpec;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A learner that compresses a real network (as opposed to the simulated one). The baseline trial trains the job's
 * network (from scratch, or from the user's weights; resumed from a checkpoint after a crash); every other trial
 * reads the baseline's artifact and hands it to {@link #compress}, with the data, the devices, the fine-tuning
 * settings ({@code training.epochs}, or {@code training.finalEpochs} for the final trial), distillation from the
 * baseline when the job asks for it, and a listener that reports every epoch. Subclasses only compress.
 */
public abstract class ModelLearner implements Learner {
    private static final Logger LOG = Logger.getLogger(ModelLearner.class);

    /** What a stage gets besides the model it compresses. */
    public record StageRun(DataSplits data, Device[] devices, TrainingConfig fineTune, Distillation distillation,
            ModelTrainer.Listener progress) {
    }

    /** A compressed model and what was done to it (the trial's manifest summary). */
    public record Compressed(ModelFiles model, Map<String, Object> summary) {
    }

    /**
     * Compresses {@code model} with this learner's part of the trial's configuration.
     *
     * @param spec   the job as this learner sees it (in a pipeline: its stage's parameters and targets)
     * @param config the trial's completed configuration
     */
    public abstract Compressed compress(ModelFiles model, JobSpec spec, Map<String, Object> config, StageRun run)
            throws Exception;

    @Override
    public TrainedCandidate train(TrainingContext context) throws Exception {
        JobSpec spec = context.spec();
        JobSpec.Training training = context.training();
        Device[] devices;
        DataSplits data;
        try {
            devices = Engines.devices(training.devices());
            data = DatasetLoader.load(spec.dataset(), context.seed());
        } catch (IllegalArgumentException e) {
            throw new LearnerException(e.getMessage(), e);
        }
        ModelTrainer.Listener progress = progress(context);
        if (context.proposal().kind() == TrialKind.BASELINE) {
            return baseline(context, spec, training, data, devices, progress);
        }
        URI manifest = context.baselineArtifact().orElseThrow(() -> new LearnerException(
                "the job's baseline has no trained model to compress"));
        ModelFiles baseline = ModelFiles.read(name -> context.artifacts().get(manifest.resolve(name)),
                name -> context.artifacts().exists(manifest.resolve(name)));
        int epochs = context.proposal().kind() == TrialKind.FINAL ? training.finalEpochs() : training.epochs();
        TrainingConfig fineTune = new TrainingConfig(epochs, training.batchSize(), training.learningRate(),
                training.optimizer(), training.schedule(), training.weightDecay(), 0.9,
                context.seed() + context.proposal().trialNumber());
        JobSpec.Distillation d = spec.compression().distillation();
        Distillation teacher = d == null ? null
                : new Distillation(baseline.spec(), baseline.weights(), d.temperature(), d.weight());
        Compressed out = compress(baseline, spec, context.config(), new StageRun(data, devices, fineTune, teacher,
                progress));
        Map<String, Object> summary = new LinkedHashMap<>(out.summary());
        summary.put("devices", Arrays.toString(devices));
        if (d != null) {
            summary.put("distillation", Map.of("temperature", d.temperature(), "weight", d.weight()));
        }
        return new TrainedCandidate(out.model().toFiles(), summary);
    }

    /** Reports each epoch (validation accuracy, loss, throughput) and stops when the trial is abandoned. */
    private static ModelTrainer.Listener progress(TrainingContext context) {
        return new ModelTrainer.Listener() {
            @Override
            public void epochFinished(ModelTrainer.EpochStats stats, Weights weights) throws Exception {
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("accuracy", stats.validationAccuracy());
                metrics.put("trainLoss", stats.trainLoss());
                metrics.put("trainAccuracy", stats.trainAccuracy());
                metrics.put("imagesPerSecond", stats.imagesPerSecond());
                if (stats.skippedSteps() > 0) {
                    metrics.put("skippedSteps", (double) stats.skippedSteps());
                }
                context.epochFinished(stats.epoch(), stats.epochs(), metrics);
            }

            @Override
            public void checkContinue() throws Exception {
                context.checkAbandoned();
            }
        };
    }

    private TrainedCandidate baseline(TrainingContext context, JobSpec spec, JobSpec.Training training,
            DataSplits data, Device[] devices, ModelTrainer.Listener progress) throws Exception {
        NetSpec net = JobNetwork.resolve(spec);
        Weights start;
        try {
            start = PretrainedWeights.of(spec).orElse(null);
        } catch (IllegalArgumentException e) {
            throw new LearnerException(e.getMessage(), e);
        }
        int epochs = start != null ? 0 : training.baselineEpochs();
        if (start == null && epochs == 0) {
            throw new LearnerException("the model has no weights and training.baselineEpochs is 0: nothing to compress");
        }
        // A worker that died mid-training left a checkpoint: go on from its epoch rather than from scratch.
        int completed = 0;
        Optional<TrainingContext.Checkpoint> checkpoint = context.latestCheckpoint();
        if (checkpoint.isPresent() && epochs > 0) {
            start = WeightsIO.fromNpz(checkpoint.get().weights());
            completed = Math.min(checkpoint.get().epoch(), epochs);
            LOG.infof("baseline of %s resumes after epoch %d of %d from an earlier attempt's checkpoint",
                    context.proposal().jobId(), completed, epochs);
        }
        TrainingConfig config = new TrainingConfig(epochs, training.batchSize(), training.baselineLearningRate(),
                training.optimizer(), training.schedule(), training.weightDecay(), 0.9, context.seed());
        LOG.infof("baseline of %s: %s, %d epochs on %d images, devices %s", context.proposal().jobId(), net.name(),
                epochs, data.train().size(), Arrays.toString(devices));
        ModelTrainer.Listener checkpointing = new ModelTrainer.Listener() {
            @Override
            public void epochFinished(ModelTrainer.EpochStats stats, Weights weights) throws Exception {
                context.saveCheckpoint(stats.epoch(), WeightsIO.toNpz(weights));
                progress.epochFinished(stats, weights);
            }

            @Override
            public void checkContinue() throws Exception {
                progress.checkContinue();
            }

            @Override
            public boolean wantsWeights() {
                return true;
            }
        };
        ModelTrainer.Result result = ModelTrainer.train(net, start, data.train(), data.validation(), config, devices,
                checkpointing, completed);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("network", net.name());
        summary.put("pretrained", start != null);
        summary.put("epochs", epochs);
        summary.put("resumedAfterEpoch", completed);
        summary.put("trainImagesPerSecond", result.imagesPerSecond());
        summary.put("devices", Arrays.toString(devices));
        return new TrainedCandidate(new ModelFiles(net, result.weights()).toFiles(), summary);
    }
}
