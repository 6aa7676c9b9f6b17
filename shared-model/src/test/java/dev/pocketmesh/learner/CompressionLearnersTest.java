package dev.pocketmesh.learner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.search.RandomSampler;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecException;
import dev.pocketmesh.spec.JobSpecValidator;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.Observation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search side of quantization, sparsification and pipelines: their checks, spaces and projections. */
class CompressionLearnersTest {
    private final JobSpecValidator validator = new JobSpecValidator(LearnerCatalog.standard(), path -> true);

    private JobSpec parse(String compressionYaml, int trials) {
        String yaml = "name: t\nmodel: {zoo: lenet5}\ndataset: {format: synthetic, limit: 300}\n" + compressionYaml
                + "\nsearch: {optimizer: random, trials: " + trials + ", seed: 1}\ntraining: {epochs: 2}\n";
        return validator.validate(dev.pocketmesh.spec.JobSpecParser.readTree(yaml));
    }

    private List<FieldError> errors(String compressionYaml, int trials) {
        try {
            parse(compressionYaml, trials);
            return List.of();
        } catch (JobSpecException e) {
            return e.errors();
        }
    }

    private static List<String> fields(List<FieldError> errors) {
        return errors.stream().map(FieldError::field).toList();
    }

    @Test
    void badInputIsRefusedBeforeTrainingWithTheFieldAndTheReason() {
        assertThat(errors("compression: {learner: uniform-quantization, params: {bits: 0}}", 1))
                .anySatisfy(e -> assertThat(e.toString()).contains("compression.params.bits").contains("[2, 8]"));
        assertThat(errors("compression: {learner: uniform-quantization, params: {bits: 17}}", 1))
                .anySatisfy(e -> assertThat(e.toString()).contains("compression.params.bits").contains("17"));
        assertThat(errors("compression: {learner: weight-sparsification, target: {sparsity: 1.5}}", 1))
                .anySatisfy(e -> assertThat(e.toString()).contains("compression.target.sparsity").contains("(0, 1)"));
        assertThat(errors("compression: {pipeline: [{learner: uniform-quantization}, {learner: channel-pruning}]}", 1))
                .anySatisfy(e -> assertThat(e.toString()).contains("compression.pipeline")
                        .contains("channel-pruning must be the first stage"));
        assertThat(errors("compression: {learner: uniform-quantization, params: {minBits: 4}, "
                + "target: {equivalentBits: 3}}", 4))
                .anySatisfy(e -> assertThat(e.toString()).contains("compression.target.equivalentBits")
                        .contains("cannot be met"));
        assertThat(fields(errors("compression: {learner: uniform-quantization, params: {bits: 8}}", 5)))
                .containsExactly("search.trials");
        assertThat(fields(errors("compression: {learner: uniform-quantization, params: {mode: ptq}, "
                + "distillation: {temperature: 4}}", 1))).containsExactly("compression.distillation");
        assertThat(fields(errors("compression: {pipeline: [{learner: channel-pruning, params: {minRatio: 3}}, "
                + "{learner: uniform-quantization}], target: {flopsRatio: 2}}", 1)))
                .containsExactly("compression.pipeline[0].params.minRatio");
    }

    @Test
    void mixedPrecisionProposalsMeetTheEquivalentBitsAndSpendThem() {
        JobSpec spec = parse("compression: {learner: uniform-quantization, target: {equivalentBits: 4}}", 8);
        LearnerDescriptor learner = LearnerCatalog.standard().get(UniformQuantizationLearner.NAME);
        SearchSpace space = learner.searchSpace(spec);
        assertThat(space.parameters()).extracting(p -> p.name())
                .containsExactly("bits.conv1", "bits.conv2", "bits.fc1", "bits.fc2", "bits.fc3");
        List<WeightLayers.WeightLayer> layers = WeightLayers.of(ModelZoo.lenet5());
        RandomSampler sampler = new RandomSampler(5);
        for (int n = 1; n <= 20; n++) {
            Map<String, Object> config = learner.complete(sampler.suggest(space, List.of(), n), spec);
            double mean = LayerBudget.weightedMean(layers, UniformQuantizationLearner.bitsOf(config));
            assertThat(mean).as(config.toString()).isLessThanOrEqualTo(4.0 + 1e-9).isGreaterThan(3.5);
        }
    }

    @Test
    void perLayerSparsitiesMeetTheTarget() {
        JobSpec spec = parse("compression: {learner: weight-sparsification, params: {scope: per-layer}, "
                + "target: {sparsity: 0.75}}", 6);
        LearnerDescriptor learner = LearnerCatalog.standard().get(WeightSparsificationLearner.NAME);
        List<WeightLayers.WeightLayer> layers = WeightLayers.of(ModelZoo.lenet5());
        RandomSampler sampler = new RandomSampler(6);
        for (int n = 1; n <= 20; n++) {
            Map<String, Object> config = learner.complete(sampler.suggest(learner.searchSpace(spec), List.of(), n), spec);
            Map<String, Double> s = WeightSparsificationLearner.sparsitiesOf(config);
            assertThat(LayerBudget.weightedMean(layers, s)).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(s.values()).allMatch(v -> v >= 0 && v <= 0.98);
        }
    }

    @Test
    void aPipelineSearchesBothStagesAndProjectsTheLaterOnTheNetworkTheEarlierLeaves() {
        JobSpec spec = parse("compression:\n  pipeline:\n    - {learner: channel-pruning, params: {minRatio: 0.3}}\n"
                + "    - {learner: uniform-quantization}\n  target: {flopsRatio: 2, equivalentBits: 6}", 4);
        LearnerDescriptor pipeline = LearnerCatalog.standard().get(PipelineLearner.NAME);
        SearchSpace space = pipeline.searchSpace(spec);
        assertThat(space.parameters()).extracting(p -> p.name()).contains("ratio.conv1", "ratio.conv2", "bits.fc1");
        Map<String, Object> config = pipeline.complete(new RandomSampler(7).suggest(space, List.of(), 1), spec);
        NetSpec lenet = ModelZoo.lenet5();
        assertThat(ChannelPruningLearner.flopsRatio(lenet, ChannelPruningLearner.ratiosOf(config)))
                .isGreaterThanOrEqualTo(2.0);
        NetSpec pruned = new ChannelPruningLearner().output(lenet, config);
        assertThat(LayerBudget.weightedMean(WeightLayers.of(pruned), UniformQuantizationLearner.bitsOf(config)))
                .isLessThanOrEqualTo(6.0 + 1e-9);
        // Each stage sees only its own targets.
        List<PipelineLearner.Stage> stages = ((PipelineLearner) pipeline).stages(spec);
        assertThat(stages.get(0).spec().compression().target()).containsOnlyKeys("flopsRatio");
        assertThat(stages.get(1).spec().compression().target()).containsOnlyKeys("equivalentBits");
    }

    @Test
    void stageByStageSplitsTheTrialsAndHoldsEarlierStagesAtTheirBest() {
        JobSpec spec = parse("compression:\n  pipeline:\n    - {learner: channel-pruning, params: {minRatio: 0.3}}\n"
                + "    - {learner: uniform-quantization}\n  pipelineSearch: stage-by-stage\n"
                + "  target: {flopsRatio: 2, equivalentBits: 6}", 5);
        PipelineLearner pipeline = (PipelineLearner) LearnerCatalog.standard().get(PipelineLearner.NAME);
        assertThat(PipelineLearner.stageByStage(spec)).isTrue();

        // 5 trials over 2 searched stages: 3 prune the network, then 2 choose its bit widths.
        PipelineLearner.Phase first = pipeline.phase(spec, 1, List.of());
        assertThat(first.stage()).isZero();
        assertThat(first.space().parameters()).extracting(p -> p.name()).allMatch(n -> n.startsWith("ratio."));
        assertThat(first.fixed()).isEmpty();
        assertThat(pipeline.phase(spec, 3, List.of()).localNumber()).isEqualTo(3);

        Map<String, Object> worse = Map.of("ratio.conv1", 0.5, "bits.fc1", 6);
        Map<String, Object> better = Map.of("ratio.conv1", 0.75, "bits.fc1", 6);
        Map<String, Object> failed = Map.of("ratio.conv1", 1.0, "bits.fc1", 6);
        List<Observation> seen = List.of(new Observation(1, "t1", worse, 0.80, TrialState.EVALUATED),
                new Observation(2, "t2", better, 0.85, TrialState.EVALUATED),
                new Observation(3, "t3", failed, null, TrialState.FAILED),
                new Observation(4, "t4", Map.of("ratio.conv1", 0.75, "bits.fc1", 4), null, TrialState.RUNNING));
        PipelineLearner.Phase second = pipeline.phase(spec, 5, seen);
        assertThat(second.stage()).isEqualTo(1);
        assertThat(second.localNumber()).isEqualTo(2);
        assertThat(second.space().parameters()).extracting(p -> p.name()).allMatch(n -> n.startsWith("bits."))
                .contains("bits.fc1");
        assertThat(second.fixed()).isEqualTo(better);
        assertThat(second.history()).extracting(Observation::number).containsExactly(4);

        // While no trial of the first phase has finished, the second starts from its latest proposal.
        List<Observation> pending = List.of(new Observation(1, "t1", worse, null, TrialState.RUNNING),
                new Observation(3, "t3", better, null, TrialState.RUNNING));
        assertThat(pipeline.phase(spec, 4, pending).fixed()).isEqualTo(better);
    }

    @Test
    void stageByStageIsCheckedAgainstTheSearch() {
        String stages = "compression:\n  pipeline:\n    - {learner: channel-pruning}\n"
                + "    - {learner: uniform-quantization}\n  target: {flopsRatio: 2, equivalentBits: 6}\n";
        assertThat(fields(errors(stages + "  pipelineSearch: sideways", 4)))
                .containsExactly("compression.pipelineSearch");
        assertThat(fields(errors(stages + "  pipelineSearch: stage-by-stage", 1))).containsExactly("search.trials");
        assertThat(fields(errors("compression: {learner: channel-pruning, pipelineSearch: stage-by-stage, "
                + "target: {flopsRatio: 2}}", 4))).containsExactly("compression.pipelineSearch");
        assertThat(PipelineLearner.stageByStage(parse(stages, 4))).isFalse();
    }
}
