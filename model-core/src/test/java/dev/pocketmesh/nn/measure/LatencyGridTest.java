package dev.pocketmesh.nn.measure;

import static dev.pocketmesh.learner.ChannelPruningJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.search.RandomSampler;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The up-front grid of a channel-pruning job: it covers what any proposal needs, within its limit. */
class LatencyGridTest {
    private final ChannelPruningLearner learner = new ChannelPruningLearner();

    @Test
    void theGridHoldsEveryPieceOfEveryProposalTheSearchCanMake() {
        // LeNet-5 at the defaults (minRatio 0.25, channel multiple 8) with a FLOPs target, which may scale a
        // suggestion up to whole units; ResNet-20 with a finer ratio floor and the residual streams coupled.
        for (JobSpec spec : List.of(job("lenet5", Map.of(), 2.0), job("resnet20", Map.of("minRatio", 0.2), 2.0),
                job("lenet5", Map.of("maxRatio", 0.75, "channelMultiple", 4, "ratios", Map.of("conv1", 0.5)), null))) {
            NetSpec net = JobNetwork.resolve(spec);
            LatencyModel.Grid grid = LatencyModel.grid(net, learner.keptChannelChoices(spec), Map.of(), 100_000);
            assertThat(grid.skipped()).isZero();
            assertThat(grid.scope()).startsWith("every combination");
            assertThat(grid.missing()).hasSize(grid.pieces());
            // A table with exactly the grid's pieces (a stand-in cost each) estimates every completed proposal.
            Map<String, Double> table = new HashMap<>();
            grid.missing().keySet().forEach(key -> table.put(key, 1.0));
            SearchSpace space = learner.searchSpace(spec);
            RandomSampler sampler = new RandomSampler(11);
            for (int n = 1; n <= 40; n++) {
                Map<String, Object> config = learner.complete(sampler.suggest(space, List.of(), n), spec);
                NetSpec candidate = learner.output(net, config);
                assertThat(table).as(net.name() + " " + config)
                        .containsKeys(LatencyModel.pieceNetworks(candidate).keySet().toArray(String[]::new));
                assertThat(LatencyModel.estimateFromTable(table, candidate)).isPresent();
            }
        }
    }

    @Test
    void theLimitFallsBackToOneUnitAtATimeThenCutsAndATimedGridIsNotTimedAgain() {
        JobSpec spec = job("lenet5", Map.of(), 2.0);
        NetSpec net = JobNetwork.resolve(spec);
        Map<String, List<Integer>> choices = learner.keptChannelChoices(spec);
        // conv1 keeps 2..6 of 6 channels (too few to align), fc1 multiples of 8 from 32 to 120.
        assertThat(choices.get("conv1")).containsExactly(2, 3, 4, 5, 6);
        assertThat(choices.get("fc1")).startsWith(32, 40).endsWith(120);
        LatencyModel.Grid full = LatencyModel.grid(net, choices, Map.of(), 100_000);
        LatencyModel.Grid marginal = LatencyModel.grid(net, choices, Map.of(), full.pieces() - 1);
        assertThat(marginal.scope()).startsWith("one unit at a time");
        assertThat(marginal.missing().size()).isLessThan(full.pieces()).isGreaterThan(0);
        assertThat(full.missing()).containsAllEntriesOf(marginal.missing());
        // What the joint grid would have timed beyond the marginal one is reported as skipped.
        assertThat(marginal.skipped()).isEqualTo(full.pieces() - marginal.missing().size());
        LatencyModel.Grid cut = LatencyModel.grid(net, choices, Map.of(), 10);
        assertThat(cut.missing()).hasSize(10);
        assertThat(cut.scope()).endsWith("first 10 new pieces");
        assertThat(cut.skipped()).isEqualTo(full.pieces() - 10);

        // Timing fills the table with the grid; the same grid then has nothing left to time.
        LatencyModel model = new LatencyModel(Map.of(), 1, 2, 5, 1);
        assertThat(model.timeMissing(cut.missing())).isEqualTo(10);
        assertThat(model.table()).containsOnlyKeys(cut.missing().keySet());
        assertThat(LatencyModel.grid(net, choices, model.table(), 10).missing()).doesNotContainKeys(
                cut.missing().keySet().toArray(String[]::new));
        assertThat(model.timeMissing(cut.missing())).isZero();
    }
}
