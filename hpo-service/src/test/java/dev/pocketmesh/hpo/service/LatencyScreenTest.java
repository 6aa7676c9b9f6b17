package dev.pocketmesh.hpo.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.learner.UniformQuantizationLearner;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.measure.LatencyModel;
import dev.pocketmesh.search.Objective;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.ProjectedSuggestion;
import dev.pocketmesh.search.Sampler;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pre-training latency screen, as pure logic: a table in memory (a device whose pieces cost their FLOPs), LeNet-5
 * channel pruning, and the optimiser's retry loop the screen plugs into.
 */
class LatencyScreenTest {
    private final ChannelPruningLearner learner = new ChannelPruningLearner();
    // What every test screens: LeNet-5, its search space, the unpruned and a slim (every ratio 0.25) candidate.
    private final JobSpec probe = job(Map.of());
    private final NetSpec baseline = JobNetwork.resolve(probe);
    private final SearchSpace space = learner.searchSpace(probe);
    private final Map<String, Object> full = learner.complete(suggestion(space, 1.0), probe);
    private final Map<String, Object> slim = learner.complete(suggestion(space, 0.25), probe);

    private static JobSpec job(Map<String, Double> target) {
        return new JobSpec("t", new JobSpec.Model("lenet5", null), new JobSpec.Dataset("synthetic", null, 300),
                new JobSpec.Compression(ChannelPruningLearner.NAME, Map.of(), target),
                new JobSpec.Search("random", 4, 1, 1), new JobSpec.Training(1, 32, 0.01, "cpu"), null);
    }

    /** The table a device would hold after timing {@code nets}: each piece costs its FLOPs, plus a fixed 10 µs. */
    private static Map<String, Double> tableFor(NetSpec... nets) {
        Map<String, Double> table = new HashMap<>();
        for (NetSpec net : nets) {
            LatencyModel.pieceNetworks(net).forEach((key, piece) -> table.put(key, 0.01 + CostModel.flops(piece) / 1e6));
        }
        return table;
    }

    /** Every searched ratio at {@code ratio}. */
    private static Map<String, Object> suggestion(SearchSpace space, double ratio) {
        Map<String, Object> s = new LinkedHashMap<>();
        for (Parameter p : space.parameters()) {
            s.put(p.name(), ratio);
        }
        return s;
    }

    @Test
    void aProposalWhoseEstimateMissesTheLatencyTargetIsResampledAndTheSamplerToldOfIt() {
        Map<String, Double> table = tableFor(baseline, learner.output(baseline, slim));
        double fullMs = LatencyModel.estimateFromTable(table, baseline).orElseThrow();
        double slimMs = LatencyModel.estimateFromTable(table, learner.output(baseline, slim)).orElseThrow();
        assertThat(slimMs).isLessThan(fullMs);

        JobSpec spec = job(Map.of(Objective.LATENCY_MS, (fullMs + slimMs) / 2));
        LatencyScreen screen = LatencyScreen.of("j", spec, learner, () -> baseline, () -> table);
        assertThat(screen.admits(full)).isFalse();
        assertThat(screen.admits(slim)).isTrue();
        assertThat(screen.estimateMs(slim)).isEqualTo(slimMs);

        // The optimiser first suggests the unpruned network (misses the target), then a slim one.
        List<List<Observation>> histories = new ArrayList<>();
        Sampler scripted = (s, history, number) -> {
            histories.add(List.copyOf(history));
            return suggestion(s, histories.size() == 1 ? 1.0 : 0.25);
        };
        Map<String, Object> proposed = ProjectedSuggestion.next(scripted, 1, space, List.of(), 1,
                s -> learner.complete(s, spec), screen::admits);
        assertThat(proposed).isEqualTo(slim);
        assertThat(histories).hasSize(2);
        // The refused point is shown to the sampler as pending, so a model-based one moves away from it.
        assertThat(histories.get(1)).singleElement().satisfies(o -> {
            assertThat(o.state()).isEqualTo(TrialState.PROPOSED);
            assertThat(o.config()).isEqualTo(suggestion(space, 1.0));
        });
    }

    @Test
    void aLatencyRatioTargetIsCheckedAgainstTheBaselinesEstimateFromTheSameTable() {
        Map<String, Double> table = tableFor(baseline, learner.output(baseline, slim));
        double speedup = LatencyModel.estimateFromTable(table, baseline).orElseThrow()
                / LatencyModel.estimateFromTable(table, learner.output(baseline, slim)).orElseThrow();
        assertThat(speedup).isGreaterThan(1.5);

        LatencyScreen screen = LatencyScreen.of("j", job(Map.of(Objective.LATENCY_RATIO, 1.5)), learner,
                () -> baseline, () -> table);
        assertThat(screen.admits(full)).isFalse(); // the baseline itself: speedup 1
        assertThat(screen.admits(slim)).isTrue();
        assertThat(LatencyScreen.of("j", job(Map.of(Objective.LATENCY_RATIO, speedup * 1.1)), learner,
                () -> baseline, () -> table).admits(slim)).isFalse();
    }

    @Test
    void aCandidateWithAPieceMissingFromTheTableGoesOutUnscreenedWithoutAnEstimate() {
        // Only the baseline was ever measured: the slim candidate's narrower convolutions are not in the table.
        Map<String, Double> table = tableFor(baseline);

        LatencyScreen screen = LatencyScreen.of("j", job(Map.of(Objective.LATENCY_MS, 1e-9)), learner,
                () -> baseline, () -> table);
        assertThat(screen.estimateMs(slim)).isNull();
        assertThat(screen.admits(slim)).isTrue();
        assertThat(table).hasSameSizeAs(tableFor(baseline)); // read-only: nothing was timed or added
        // A candidate the table can cost is still screened.
        assertThat(screen.estimateMs(full)).isNotNull();
        assertThat(screen.admits(full)).isFalse();
    }

    @Test
    void withoutALatencyTargetATableOrADenseCandidateNothingIsScreenedOrRead() {
        // No latency target: the table is not even read.
        LatencyScreen none = LatencyScreen.of("j", job(Map.of("flopsRatio", 2.0)), learner, () -> baseline, () -> {
            throw new AssertionError("table read without a latency target");
        });
        assertThat(none).isSameAs(LatencyScreen.NONE);
        assertThat(none.admits(full)).isTrue();
        assertThat(none.estimateMs(full)).isNull();
        // No table stored for the profile yet.
        assertThat(LatencyScreen.of("j", job(Map.of(Objective.LATENCY_MS, 1e-9)), learner, () -> baseline,
                Map::of)).isSameAs(LatencyScreen.NONE);
        // A quantized candidate runs integer kernels the fp32 table does not hold.
        assertThat(LatencyScreen.of("j", job(Map.of(Objective.LATENCY_MS, 1e-9)), new UniformQuantizationLearner(),
                () -> baseline, () -> tableFor(baseline))).isSameAs(LatencyScreen.NONE);
    }
}
