package dev.pocketmesh.worker.service;

import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.learner.ParamReader;
import dev.pocketmesh.nn.learn.ChannelPruningRecipe;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.spec.JobSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * {@code channel-pruning} on the worker: prunes the model to the trial's per-unit preserve ratios with the job's
 * criterion ({@link ChannelPruningRecipe}) and fine-tunes the smaller network.
 */
@ApplicationScoped
public class ChannelPruningTrainer extends ModelLearner {

    @Override
    public String name() {
        return ChannelPruningLearner.NAME;
    }

    @Override
    public Compressed compress(ModelFiles model, JobSpec spec, Map<String, Object> config, StageRun run)
            throws Exception {
        Map<String, Object> params = spec.compression().params();
        ChannelCriterion criterion = ChannelCriterion.fromName(String.valueOf(params.get("criterion")));
        ChannelPruningRecipe.Outcome outcome = ChannelPruningRecipe.run(model, ChannelPruningLearner.ratiosOf(config),
                criterion, run.data(), run.fineTune(), run.devices(),
                ParamReader.intOr(params, "reconstructionSamples", 256), run.distillation(), run.progress());
        return new Compressed(outcome.model(), outcome.summary());
    }
}
