package dev.pocketmesh.worker.service;

import ai.djl.Device;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.learner.ParamReader;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.DatasetLoader;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.learn.ChannelPruningRecipe;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.tensor.WeightsIO;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import dev.pocketmesh.spec.JobSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code channel-pruning} on the worker. The baseline trial trains the job's network (from scratch, or from the
 * user's weights); a search or final trial prunes the baseline's weights to the trial's per-unit preserve ratios
 * with the job's criterion and fine-tunes the smaller network ({@code training.epochs}, or
 * {@code training.finalEpochs} for the final trial). Every epoch is reported with its validation accuracy.
 */
@ApplicationScoped
public class ChannelPruningTrainer implements Learner {
    private static final Logger LOG = Logger.getLogger(ChannelPruningTrainer.class);

    @Override
    public String name() {
        return ChannelPruningLearner.NAME;
    }

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
        ModelTrainer.Listener progress = new ModelTrainer.Listener() {
            @Override
            public void epochFinished(ModelTrainer.EpochStats stats, Weights weights) throws Exception {
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("accuracy", stats.validationAccuracy());
                metrics.put("trainLoss", stats.trainLoss());
                metrics.put("trainAccuracy", stats.trainAccuracy());
                metrics.put("imagesPerSecond", stats.imagesPerSecond());
                context.epochFinished(stats.epoch(), stats.epochs(), metrics);
            }

            @Override
            public void checkContinue() throws Exception {
                context.checkAbandoned();
            }
        };
        if (context.proposal().kind() == TrialKind.BASELINE) {
            return baseline(context, spec, training, data, devices, progress);
        }
        URI manifest = context.baselineArtifact().orElseThrow(() -> new LearnerException(
                "the job's baseline has no trained model to prune"));
        ModelFiles baseline = ModelFiles.read(name -> context.artifacts().get(manifest.resolve(name)));
        Map<String, Object> params = context.params();
        ChannelCriterion criterion = ChannelCriterion.fromName(String.valueOf(params.get("criterion")));
        int epochs = context.proposal().kind() == TrialKind.FINAL ? training.finalEpochs() : training.epochs();
        TrainingConfig fineTune = new TrainingConfig(epochs, training.batchSize(), training.learningRate(),
                training.optimizer(), training.schedule(), training.weightDecay(), 0.9,
                context.seed() + context.proposal().trialNumber());
        ChannelPruningRecipe.Outcome outcome = ChannelPruningRecipe.run(baseline,
                ChannelPruningLearner.ratiosOf(context.config()), criterion, data, fineTune, devices,
                ParamReader.intOr(params, "reconstructionSamples", 256), progress);
        Map<String, Object> summary = new LinkedHashMap<>(outcome.summary());
        summary.put("devices", java.util.Arrays.toString(devices));
        return new TrainedCandidate(outcome.model().toFiles(), summary);
    }

    private TrainedCandidate baseline(TrainingContext context, JobSpec spec, JobSpec.Training training,
            DataSplits data, Device[] devices, ModelTrainer.Listener progress) throws Exception {
        NetSpec net = JobNetwork.resolve(spec);
        Weights start = null;
        if (spec.model().uri() != null) {
            java.nio.file.Path dir = JobNetwork.directory(spec.model().uri());
            if (java.nio.file.Files.exists(dir.resolve(WeightsIO.FILE_NAME))) {
                start = ModelFiles.read(dir).weights();
            }
        }
        int epochs = start != null ? 0 : training.baselineEpochs();
        if (start == null && epochs == 0) {
            throw new LearnerException("the model has no weights and training.baselineEpochs is 0: nothing to compress");
        }
        // A worker that died mid-training left a checkpoint: go on from its epoch rather than from scratch.
        int completed = 0;
        java.util.Optional<TrainingContext.Checkpoint> checkpoint = context.latestCheckpoint();
        if (checkpoint.isPresent() && epochs > 0) {
            start = WeightsIO.fromNpz(checkpoint.get().weights());
            completed = Math.min(checkpoint.get().epoch(), epochs);
            LOG.infof("baseline of %s resumes after epoch %d of %d from an earlier attempt's checkpoint",
                    context.proposal().jobId(), completed, epochs);
        }
        TrainingConfig config = new TrainingConfig(epochs, training.batchSize(), training.baselineLearningRate(),
                training.optimizer(), training.schedule(), training.weightDecay(), 0.9, context.seed());
        LOG.infof("baseline of %s: %s, %d epochs on %d images, devices %s", context.proposal().jobId(), net.name(),
                epochs, data.train().size(), java.util.Arrays.toString(devices));
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
        summary.put("devices", java.util.Arrays.toString(devices));
        return new TrainedCandidate(new ModelFiles(net, result.weights()).toFiles(), summary);
    }
}
