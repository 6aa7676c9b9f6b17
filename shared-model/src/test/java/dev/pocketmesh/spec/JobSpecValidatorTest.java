package dev.pocketmesh.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.learner.LearnerCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobSpecValidatorTest {
    private final JobSpecParser parser = new JobSpecParser(
            new JobSpecValidator(LearnerCatalog.standard(), path -> path.startsWith("/exists")));

    private static final String VALID = """
            name: demo
            model: {zoo: lenet5}
            dataset: {format: idx, path: /exists/fashion-mnist}
            compression: {learner: simulated, params: {layers: 3}, target: {flopsRatio: 2}}
            search: {optimizer: random, trials: 12, parallelism: 3, seed: 5}
            """;

    @Test
    void validJobGetsDefaults() {
        JobSpec spec = parser.parse(VALID);
        assertThat(spec.search().trials()).isEqualTo(12);
        assertThat(spec.compression().params()).containsEntry("layers", 3).containsEntry("sleepMs", 300);
        assertThat(spec.compression().target()).containsEntry("flopsRatio", 2.0);
        assertThat(spec.training().epochs()).isEqualTo(1);
        assertThat(spec.evaluation().device()).isEqualTo("cpu");
    }

    @Test
    void unknownLearnerIsNamed() {
        assertThat(errors(VALID.replace("learner: simulated", "learner: magic")))
                .extracting(FieldError::field).containsExactly("compression.learner");
    }

    @Test
    void negativeTrialsIsNamed() {
        List<FieldError> errors = errors(VALID.replace("trials: 12", "trials: -3"));
        assertThat(errors).extracting(FieldError::field).containsExactly("search.trials");
        assertThat(errors.get(0).reason()).contains("-3");
    }

    @Test
    void missingDatasetPathIsNamed() {
        assertThat(errors(VALID.replace(", path: /exists/fashion-mnist", "")))
                .extracting(FieldError::field).containsExactly("dataset.path");
    }

    @Test
    void datasetPathThatDoesNotExistIsNamed() {
        List<FieldError> errors = errors(VALID.replace("/exists/fashion-mnist", "/nowhere/data"));
        assertThat(errors).extracting(FieldError::field).containsExactly("dataset.path");
        assertThat(errors.get(0).reason()).contains("does not exist");
    }

    @Test
    void datasetClassesAndImageSizeAreRead() {
        JobSpec spec = parser.parse(VALID.replace("{format: idx, path: /exists/fashion-mnist}",
                "{format: image-folder, path: /exists/photos, classes: 5, imageSize: 64, limit: 200}"));
        assertThat(spec.dataset()).isEqualTo(new JobSpec.Dataset("image-folder", "/exists/photos", 200, 5, 64));
        assertThat(parser.parse(VALID).dataset()).isEqualTo(new JobSpec.Dataset("idx", "/exists/fashion-mnist", null));
    }

    @Test
    void imageSizeIsRefusedWhereTheFilesFixIt() {
        List<FieldError> errors = errors(VALID.replace("path: /exists/fashion-mnist",
                "path: /exists/fashion-mnist, imageSize: 32"));
        assertThat(errors).extracting(FieldError::field).containsExactly("dataset.imageSize");
        assertThat(errors.get(0).reason()).contains("'idx'");
        assertThat(errors(VALID.replace("{format: idx, path: /exists/fashion-mnist}",
                "{format: cifar10, path: /exists/cifar, imageSize: 32}")))
                .extracting(FieldError::field).containsExactly("dataset.imageSize");
    }

    @Test
    void datasetClassesAndImageSizeRangesAreChecked() {
        List<FieldError> errors = errors(VALID.replace("{format: idx, path: /exists/fashion-mnist}",
                "{format: synthetic, classes: 1, imageSize: 4}"));
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("dataset.classes",
                "dataset.imageSize");
        assertThat(errors(VALID.replace("{format: idx, path: /exists/fashion-mnist}",
                "{format: synthetic, imageSize: 513}"))).extracting(FieldError::reason)
                .containsExactly("must be an integer in [8, 512] (got 513)");
    }

    @Test
    void datasetSurvivesAJsonRoundTrip() {
        JobSpec.Dataset ds = new JobSpec.Dataset("synthetic", null, 300, 4, 16);
        assertThat(dev.pocketmesh.json.Json.read(dev.pocketmesh.json.Json.write(ds), JobSpec.Dataset.class))
                .isEqualTo(ds);
        assertThat(dev.pocketmesh.json.Json.write(new JobSpec.Dataset("idx", "/d", null)))
                .isEqualTo("{\"format\":\"idx\",\"path\":\"/d\"}");
    }

    @Test
    void everyBadFieldIsReportedAtOnce() {
        String bad = VALID.replace("trials: 12", "trials: 0").replace("optimizer: random", "optimizer: oracle")
                .replace("layers: 3", "layers: 3, colour: red").replace("name: demo", "name: demo\nextra: 1");
        assertThat(errors(bad)).extracting(FieldError::field).containsExactlyInAnyOrder("search.trials",
                "search.optimizer", "compression.params.colour", "extra");
    }

    @Test
    void unsupportedTargetAndBadRatioAreNamed() {
        assertThat(errors(VALID.replace("flopsRatio: 2", "bits: 4"))).extracting(FieldError::field)
                .containsExactly("compression.target.bits");
        assertThat(errors(VALID.replace("flopsRatio: 2", "flopsRatio: 0.5"))).extracting(FieldError::field)
                .containsExactly("compression.target.flopsRatio");
    }

    @Test
    void latencyTargetsAreAcceptedForEveryLearnerAndChecked() {
        JobSpec spec = parser.parse(VALID.replace("flopsRatio: 2", "flopsRatio: 2, latencyRatio: 1.5, latencyMs: 4"));
        assertThat(spec.compression().target()).containsEntry("latencyRatio", 1.5).containsEntry("latencyMs", 4.0);
        List<FieldError> bad = errors(VALID.replace("flopsRatio: 2", "latencyRatio: 0.5, latencyMs: -1"));
        assertThat(bad).extracting(FieldError::field)
                .containsExactlyInAnyOrder("compression.target.latencyRatio", "compression.target.latencyMs");
        assertThat(bad).filteredOn(e -> e.field().endsWith("latencyRatio")).first()
                .extracting(FieldError::reason).asString().contains("speedup >= 1");
    }

    @Test
    void deviceProfileMustBeAKnownOne() {
        assertThat(parser.parse(VALID + "evaluation: {device: cpu-x86-1t}\n").evaluation().device())
                .isEqualTo("cpu-x86-1t");
        List<FieldError> bad = errors(VALID + "evaluation: {device: tpu-v9}\n");
        assertThat(bad).extracting(FieldError::field).containsExactly("evaluation.device");
        assertThat(bad.get(0).reason()).contains("unknown device profile 'tpu-v9'").contains("cpu-x86-4t");
    }

    @Test
    void extraProfilesAreKnownDistinctAndNotThePrimary() {
        JobSpec spec = parser.parse(VALID + "evaluation: {device: cpu-x86-1t, alsoMeasureOn: [cpu-x86-4t, cpu]}\n");
        assertThat(spec.evaluation().device()).isEqualTo("cpu-x86-1t");
        assertThat(spec.evaluation().alsoMeasureOn()).containsExactly("cpu-x86-4t", "cpu");
        assertThat(parser.parse(VALID).evaluation().alsoMeasureOn()).isEmpty();

        List<FieldError> bad = errors(VALID
                + "evaluation: {device: cpu-x86-1t, alsoMeasureOn: [cpu, tpu-v9, cpu, cpu-x86-1t, 7]}\n");
        assertThat(bad).extracting(FieldError::field).containsExactly("evaluation.alsoMeasureOn[1]",
                "evaluation.alsoMeasureOn[2]", "evaluation.alsoMeasureOn[3]", "evaluation.alsoMeasureOn[4]");
        assertThat(bad.get(0).reason()).contains("unknown device profile 'tpu-v9'");
        assertThat(bad.get(1).reason()).contains("'cpu' is listed twice (first at index 0)");
        assertThat(bad.get(2).reason()).contains("'cpu-x86-1t' is already evaluation.device");
        assertThat(bad.get(3).reason()).contains("must be a device profile name");

        assertThat(errors(VALID + "evaluation: {alsoMeasureOn: cpu-x86-4t}\n")).extracting(FieldError::field)
                .containsExactly("evaluation.alsoMeasureOn");
        // The default primary counts as the primary: 'cpu' may not be repeated when device is left out.
        assertThat(errors(VALID + "evaluation: {alsoMeasureOn: [cpu]}\n")).extracting(FieldError::field)
                .containsExactly("evaluation.alsoMeasureOn[0]");
    }

    @Test
    void malformedDocumentSaysWhere() {
        assertThatThrownBy(() -> parser.parse("name: [unclosed"))
                .isInstanceOf(JobSpecException.class)
                .satisfies(e -> assertThat(((JobSpecException) e).errors().get(0).field()).isEqualTo("(document)"))
                .hasMessageContaining("line");
    }

    @Test
    void jsonIsAcceptedToo() {
        JobSpec spec = parser.parse("""
                {"name":"j","model":{"zoo":"mlp"},"dataset":{"format":"synthetic"},
                 "compression":{"learner":"simulated"}}""");
        assertThat(spec.search().optimizer()).isEqualTo("random");
    }

    @Test
    void searchIsSingleObjectiveWithoutEarlyStoppingByDefault() {
        JobSpec.Search search = parser.parse(VALID).search();
        assertThat(search.objective()).isEqualTo("accuracy");
        assertThat(search.isPareto()).isFalse();
        assertThat(search.pareto()).isNull();
        assertThat(search.earlyStopping()).isNull();
    }

    @Test
    void paretoAndEarlyStoppingGetDefaultsAndSurviveJson() {
        JobSpec spec = parser.parse(VALID.replace("seed: 5}", "seed: 5, objective: pareto}"));
        assertThat(spec.search().pareto()).isEqualTo(new JobSpec.Pareto("latencyMs", "knee", null));
        JobSpec asha = parser.parse(VALID.replace("seed: 5}", "seed: 5, earlyStopping: {}}") + "training: {epochs: 9}\n");
        assertThat(asha.search().earlyStopping()).isEqualTo(new JobSpec.EarlyStopping("asha", 1, 3, 3));
        assertThat(dev.pocketmesh.json.Json.read(dev.pocketmesh.json.Json.write(asha), JobSpec.class).search())
                .isEqualTo(asha.search());
        JobSpec back = dev.pocketmesh.json.Json.read(dev.pocketmesh.json.Json.write(spec), JobSpec.class);
        assertThat(back.search()).isEqualTo(spec.search());
        // A spec stored before these fields existed reads back as a plain accuracy search.
        String old = "{\"optimizer\":\"tpe\",\"trials\":3,\"parallelism\":1,\"seed\":1}";
        assertThat(dev.pocketmesh.json.Json.read(old, JobSpec.Search.class))
                .isEqualTo(new JobSpec.Search("tpe", 3, 1, 1));
    }

    @Test
    void badParetoAndEarlyStoppingFieldsAreNamed() {
        assertThat(errors(VALID.replace("seed: 5}", "seed: 5, objective: fastest}")))
                .extracting(FieldError::field).containsExactly("search.objective");
        assertThat(errors(VALID.replace("seed: 5}", "seed: 5, pareto: {cost: bytes}}")))
                .extracting(FieldError::field).containsExactly("search.pareto");
        assertThat(errors(VALID.replace("seed: 5}",
                "seed: 5, objective: pareto, pareto: {cost: joules, pick: max-accuracy-under}}")))
                .extracting(FieldError::field).containsExactlyInAnyOrder("search.pareto.cost", "search.pareto.bound");
        assertThat(errors(VALID.replace("seed: 5}", "seed: 5, objective: pareto, pareto: {bound: -1}}")))
                .extracting(FieldError::field).containsExactly("search.pareto.bound");
        assertThat(errors(VALID.replace("seed: 5}", "seed: 5, earlyStopping: {type: hyperband, minEpochs: 0}}")))
                .extracting(FieldError::field).containsExactly("search.earlyStopping.type");
        assertThat(errors(VALID.replace("seed: 5}", "seed: 5, earlyStopping: {reductionFactor: 1}}")))
                .extracting(FieldError::field).containsExactly("search.earlyStopping.reductionFactor");
        assertThat(errors(VALID.replace("seed: 5}", "seed: 5, objective: pareto, earlyStopping: {}}")
                + "training: {epochs: 9}\n")).extracting(FieldError::field).containsExactly("search.earlyStopping");
        List<FieldError> tooLate = errors(VALID.replace("seed: 5}", "seed: 5, earlyStopping: {minEpochs: 4}}")
                + "training: {epochs: 4}\n");
        assertThat(tooLate).extracting(FieldError::field).containsExactly("search.earlyStopping.minEpochs");
        assertThat(tooLate.get(0).reason()).contains("training.epochs (4)");
    }

    private List<FieldError> errors(String yaml) {
        try {
            parser.parse(yaml);
        } catch (JobSpecException e) {
            return e.errors();
        }
        throw new AssertionError("expected the job to be refused:\n" + yaml);
    }
}
