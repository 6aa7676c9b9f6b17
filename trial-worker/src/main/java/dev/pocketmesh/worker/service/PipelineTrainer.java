package dev.pocketmesh.worker.service;

import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.PipelineLearner;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.spec.JobSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pipeline} on the worker: each stage's learner compresses what the stage before it left, fine-tuning it
 * with the trial's epochs; the summary keeps each stage's own.
 */
@ApplicationScoped
public class PipelineTrainer extends ModelLearner {
    private final Instance<ModelLearner> learners;

    public PipelineTrainer(@Any Instance<ModelLearner> learners) {
        this.learners = learners;
    }

    @Override
    public String name() {
        return PipelineLearner.NAME;
    }

    @Override
    public Compressed compress(ModelFiles model, JobSpec spec, Map<String, Object> config, StageRun run)
            throws Exception {
        PipelineLearner pipeline = (PipelineLearner) LearnerCatalog.standard().get(PipelineLearner.NAME);
        List<Map<String, Object>> stages = new ArrayList<>();
        ModelFiles current = model;
        for (PipelineLearner.Stage stage : pipeline.stages(spec)) {
            ModelLearner learner = stageLearner(stage.learner().name());
            Compressed out = learner.compress(current, stage.spec(), config, run);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("learner", stage.learner().name());
            summary.putAll(out.summary());
            stages.add(summary);
            current = out.model();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("stages", stages);
        return new Compressed(current, summary);
    }

    private ModelLearner stageLearner(String name) {
        for (ModelLearner learner : learners) {
            if (learner.name().equals(name) && !(learner instanceof PipelineTrainer)) {
                return learner;
            }
        }
        throw new IllegalStateException("this worker has no learner '" + name + "' for a pipeline stage");
    }
}
