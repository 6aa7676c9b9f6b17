package dev.pocketmesh.learner;

import static dev.pocketmesh.learner.ChannelPruningJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.search.RandomSampler;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search side of channel pruning: its space, its FLOPs-constrained proposals, its job checks. */
class ChannelPruningLearnerTest {
    private final ChannelPruningLearner learner = new ChannelPruningLearner();

    @Test
    void theSpaceHasOneRatioPerPrunableUnit() {
        SearchSpace resnet = learner.searchSpace(job("resnet20", Map.of(), 2.0));
        // 9 block-internal convs plus the 3 residual streams (each pruned as one group).
        assertThat(resnet.parameters()).hasSize(12);
        assertThat(resnet.parameters()).extracting(p -> p.name())
                .contains("ratio.s1.b1.conv1", "ratio.stage1", "ratio.stage3");
        // LeNet-5's hidden Linear layers are units too (their neurons); fc3 gives the classes.
        assertThat(learner.searchSpace(job("lenet5", Map.of(), 2.0)).parameters()).extracting(p -> p.name())
                .containsExactly("ratio.conv1", "ratio.conv2", "ratio.fc1", "ratio.fc2");
        // Fixed ratios are not searched.
        assertThat(learner.searchSpace(job("lenet5", Map.of("ratios", Map.of("conv1", 0.5)), 2.0)).parameters())
                .extracting(p -> p.name()).containsExactly("ratio.conv2", "ratio.fc1", "ratio.fc2");
        assertThat(learner.searchSpace(job("lenet5", Map.of("ratio", 0.5), null)).parameters()).isEmpty();
    }

    @Test
    void everyCompletedProposalMeetsTheFlopsTarget() {
        for (String zoo : List.of("lenet5", "resnet20", "vgg-small", "mobilenet-v1")) {
            JobSpec spec = job(zoo, Map.of("minRatio", 0.2), 2.0);
            NetSpec net = JobNetwork.resolve(spec);
            SearchSpace space = learner.searchSpace(spec);
            RandomSampler sampler = new RandomSampler(3);
            for (int n = 1; n <= 15; n++) {
                Map<String, Object> suggestion = sampler.suggest(space, List.of(), n);
                Map<String, Object> config = learner.complete(suggestion, spec);
                double ratio = ChannelPruningLearner.flopsRatio(net, ChannelPruningLearner.ratiosOf(config));
                assertThat(ratio).as(zoo + " trial " + n + " " + config).isGreaterThanOrEqualTo(2.0);
                // Projected onto the budget from either side, and maximal there: no unit could keep one more block.
                assertMaximal(net, config, 2.0, 8, zoo + " trial " + n);
            }
        }
    }

    @Test
    void projectedProposalsMeetTheTargetWithinOnePercent() {
        // Whole channels, no alignment: the projection lands within 1 % above the target on every zoo network
        // with enough channels to make fine steps.
        for (String zoo : List.of("resnet20", "vgg-small", "mobilenet-v1")) {
            for (double target : new double[] {1.5, 2.0, 3.0}) {
                JobSpec spec = job(zoo, Map.of("minRatio", 0.1, "channelMultiple", 1), target);
                NetSpec net = JobNetwork.resolve(spec);
                SearchSpace space = learner.searchSpace(spec);
                RandomSampler sampler = new RandomSampler(11);
                for (int n = 1; n <= 8; n++) {
                    Map<String, Object> suggestion = sampler.suggest(space, List.of(), n);
                    double ratio = ChannelPruningLearner.flopsRatio(net,
                            ChannelPruningLearner.ratiosOf(learner.complete(suggestion, spec)));
                    assertThat(ratio).as(zoo + " target " + target + " trial " + n).isBetween(target, target * 1.01);
                }
            }
        }
    }

    /** The configuration meets the target and growing any unit by one block would break it. */
    private static void assertMaximal(NetSpec net, Map<String, Object> config, double target, int multiple,
            String what) {
        Map<String, Integer> keep = PruningUnits.keepCounts(net, ChannelPruningLearner.ratiosOf(config));
        double base = dev.pocketmesh.model.CostModel.of(net).flops();
        for (PruningUnits.Unit unit : PruningUnits.of(net)) {
            int now = keep.get(unit.name());
            if (now == unit.channels()) {
                continue;
            }
            Map<String, Integer> grown = new java.util.LinkedHashMap<>(keep);
            grown.put(unit.name(), Math.min(unit.channels(), now + (unit.channels() >= 2 * multiple ? multiple : 1)));
            double ratio = base / dev.pocketmesh.model.CostModel.of(PruningUnits.apply(net, grown)).flops();
            assertThat(ratio).as(what + ": growing " + unit.name() + " still meets the target").isLessThan(target);
        }
    }

    @Test
    void aSuggestionThatPrunesMoreThanTheTargetAsksIsGrownOntoIt() {
        JobSpec spec = job("resnet20", Map.of("minRatio", 0.1, "channelMultiple", 1), 1.5);
        NetSpec net = JobNetwork.resolve(spec);
        Map<String, Object> heavy = new java.util.LinkedHashMap<>();
        learner.searchSpace(spec).parameters().forEach(p -> heavy.put(p.name(), 0.3));
        assertThat(ChannelPruningLearner.flopsRatio(net, ChannelPruningLearner.ratiosOf(heavy))).isGreaterThan(5);
        Map<String, Object> config = learner.complete(heavy, spec);
        assertThat(ChannelPruningLearner.flopsRatio(net, ChannelPruningLearner.ratiosOf(config)))
                .isBetween(1.5, 1.5 * 1.01);
        // Grown by one factor: the units stay about equal, as the optimiser proposed them.
        assertThat(config.values()).allSatisfy(v -> assertThat((Double) v).isBetween(0.4, 1.0));
        // LeNet-5 at a target its smallest steps cannot hit exactly: feasible, and no unit can keep one more channel.
        JobSpec lenet = job("lenet5", Map.of(), 1.5);
        Map<String, Object> grown = learner.complete(Map.of("ratio.conv1", 0.5, "ratio.conv2", 0.5), lenet);
        assertMaximal(JobNetwork.resolve(lenet), grown, 1.5, 8, "lenet5");
    }

    @Test
    void keptChannelsAreAlignedToTheChannelMultiple() {
        for (int multiple : new int[] {8, 4}) {
            JobSpec spec = job("resnet20", Map.of("channelMultiple", multiple), 2.0);
            NetSpec net = JobNetwork.resolve(spec);
            Map<String, Object> config = learner.complete(learner.baselineConfig(spec), spec);
            Map<String, Integer> keep = PruningUnits.keepCounts(net, ChannelPruningLearner.ratiosOf(config));
            assertThat(ChannelPruningLearner.flopsRatio(net, ChannelPruningLearner.ratiosOf(config)))
                    .isGreaterThanOrEqualTo(2.0);
            assertThat(keep.values()).as("multiple " + multiple + ": " + keep).allMatch(k -> k % multiple == 0);
        }
        // Multiple 1: the whole-channel counts of a uniform ratio, which are not all multiples of 8 here.
        JobSpec exact = job("resnet20", Map.of("channelMultiple", 1), 2.0);
        Map<String, Object> config = learner.complete(learner.baselineConfig(exact), exact);
        assertThat(PruningUnits.keepCounts(JobNetwork.resolve(exact), ChannelPruningLearner.ratiosOf(config)).values())
                .anyMatch(k -> k % 8 != 0);
        // A unit smaller than two multiples keeps whole-channel counts (LeNet-5's conv1 has 6 channels).
        assertThat(new PruningUnits.Unit("conv1", List.of("conv1"), 6).keep(0.6, 8)).isEqualTo(4);
        assertThat(new PruningUnits.Unit("c", List.of("c"), 64).keep(0.7, 8)).isEqualTo(48);
        assertThat(new PruningUnits.Unit("c", List.of("c"), 16).keep(0.1, 8)).isEqualTo(8);
        assertThat(learner.validate(Map.of("channelMultiple", 0), "compression.params"))
                .extracting(FieldError::field).containsExactly("compression.params.channelMultiple");
    }

    @Test
    void theBaselineKeepsEveryChannel() {
        assertThat(learner.baselineConfig(job("lenet5", Map.of(), 2.0)))
                .isEqualTo(Map.of("ratio.conv1", 1.0, "ratio.conv2", 1.0, "ratio.fc1", 1.0, "ratio.fc2", 1.0));
    }

    @Test
    void anUnreachableTargetIsRefusedWithTheBestThatIsPossible() {
        List<FieldError> errors = learner.validateJob(job("lenet5", Map.of("minRatio", 0.3), 1000.0));
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("compression.target.flopsRatio");
            assertThat(e.reason()).contains("1000 cannot be met").contains("at most");
        });
        assertThat(learner.validateJob(job("lenet5", Map.of("minRatio", 0.3), 2.0))).isEmpty();
    }

    @Test
    void unknownUnitsAreRefusedAndAnMlpPrunesItsHiddenNeurons() {
        assertThat(learner.validateJob(job("lenet5", Map.of("ratios", Map.of("conv9", 0.5)), 2.0)))
                .extracting(FieldError::field).containsExactly("compression.params.ratios.conv9");
        // An MLP has no convs, but its two hidden layers are units; the output layer is not.
        assertThat(learner.validateJob(job("mlp", Map.of(), 2.0))).isEmpty();
        assertThat(learner.searchSpace(job("mlp", Map.of(), 2.0)).parameters()).hasSize(2);
        assertThat(learner.validateJob(job("mlp", Map.of("ratios", Map.of("fc3", 0.5)), 2.0)))
                .extracting(FieldError::field).containsExactly("compression.params.ratios.fc3");
        assertThat(learner.validate(Map.of("criterion", "random"), "compression.params"))
                .extracting(FieldError::field).containsExactly("compression.params.criterion");
    }

    @Test
    void aZooNetworkIsSizedForTheDataset() {
        NetSpec net = JobNetwork.resolve(job("resnet20", Map.of(), 2.0));
        assertThat(net.input().channels()).isEqualTo(1);
        assertThat(net.input().height()).isEqualTo(28);
        assertThat(net).isEqualTo(ModelZoo.byName("resnet20", 1, 28, 28, 10));
    }
}
