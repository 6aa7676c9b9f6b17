package dev.pocketmesh.worker.service;

import dev.pocketmesh.learner.ParamReader;
import dev.pocketmesh.learner.UniformQuantizationLearner;
import dev.pocketmesh.nn.compress.Calibration;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.learn.QuantizationRecipe;
import dev.pocketmesh.spec.JobSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** {@code uniform-quantization} on the worker: {@link QuantizationRecipe}, QAT or PTQ, bit widths from the trial. */
@ApplicationScoped
public class QuantizationTrainer extends ModelLearner {

    @Override
    public String name() {
        return UniformQuantizationLearner.NAME;
    }

    @Override
    public Compressed compress(ModelFiles model, JobSpec spec, Map<String, Object> config, StageRun run)
            throws Exception {
        Map<String, Object> p = spec.compression().params();
        QuantizationRecipe.Settings settings = new QuantizationRecipe.Settings(String.valueOf(p.get("mode")),
                ParamReader.intOr(p, "bits", 8), UniformQuantizationLearner.bitsOf(config),
                Boolean.TRUE.equals(p.get("perChannel")), Boolean.TRUE.equals(p.get("symmetric")),
                Calibration.fromName(String.valueOf(p.get("calibration"))), ParamReader.doubleOr(p, "percentile", 99.99),
                ParamReader.intOr(p, "calibrationSamples", 256), ParamReader.intOr(p, "activationBits", 8),
                Boolean.TRUE.equals(p.get("biasCorrection")),
                UniformQuantizationLearner.allocatedBySensitivity(spec) ? UniformQuantizationLearner.target(spec) : null,
                ParamReader.intOr(p, "keepFloat", 0));
        QuantizationRecipe.Outcome out = QuantizationRecipe.run(model, settings, run.data(), run.fineTune(),
                run.devices(), run.distillation(), run.progress());
        return new Compressed(out.model(), out.summary());
    }
}
