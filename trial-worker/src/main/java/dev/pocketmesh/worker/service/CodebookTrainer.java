package dev.pocketmesh.worker.service;

import dev.pocketmesh.learner.NonUniformQuantizationLearner;
import dev.pocketmesh.learner.ParamReader;
import dev.pocketmesh.learner.UniformQuantizationLearner;
import dev.pocketmesh.nn.learn.CodebookRecipe;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.spec.JobSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** {@code nonuniform-quantization} on the worker: k-means codebooks per layer, centroids fine-tuned. */
@ApplicationScoped
public class CodebookTrainer extends ModelLearner {

    @Override
    public String name() {
        return NonUniformQuantizationLearner.NAME;
    }

    @Override
    public Compressed compress(ModelFiles model, JobSpec spec, Map<String, Object> config, StageRun run)
            throws Exception {
        CodebookRecipe.Outcome out = CodebookRecipe.run(model, ParamReader.intOr(spec.compression().params(), "bits", 4),
                UniformQuantizationLearner.bitsOf(config), run.data(), run.fineTune(), run.devices(), run.distillation(),
                run.progress());
        return new Compressed(out.model(), out.summary());
    }
}
