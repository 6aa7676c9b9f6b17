package dev.pocketmesh.worker.service;

import dev.pocketmesh.learner.ParamReader;
import dev.pocketmesh.learner.WeightSparsificationLearner;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.learn.SparsificationRecipe;
import dev.pocketmesh.spec.JobSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** {@code weight-sparsification} on the worker: gradual magnitude pruning while fine-tuning. */
@ApplicationScoped
public class SparsificationTrainer extends ModelLearner {

    @Override
    public String name() {
        return WeightSparsificationLearner.NAME;
    }

    @Override
    public Compressed compress(ModelFiles model, JobSpec spec, Map<String, Object> config, StageRun run)
            throws Exception {
        Map<String, Object> p = spec.compression().params();
        SparsificationRecipe.Settings settings = new SparsificationRecipe.Settings(
                spec.compression().target().get(WeightSparsificationLearner.TARGET),
                WeightSparsificationLearner.sparsitiesOf(config), "global".equals(p.get("scope")),
                ParamReader.intOr(p, "block", 1), ParamReader.doubleOr(p, "begin", 0),
                ParamReader.doubleOr(p, "end", 0.7), ParamReader.doubleOr(p, "exponent", 3),
                ParamReader.intOr(p, "interval", 50));
        SparsificationRecipe.Outcome out = SparsificationRecipe.run(model, settings, run.data(), run.fineTune(),
                run.devices(), run.distillation(), run.progress());
        return new Compressed(out.model(), out.summary());
    }
}
