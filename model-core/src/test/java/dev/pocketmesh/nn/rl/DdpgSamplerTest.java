package dev.pocketmesh.nn.rl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.learner.SimulatedLearner;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.Optimizers;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.RandomSampler;
import dev.pocketmesh.search.Sampler;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DdpgSamplerTest {
    private static final SimulatedLearner LEARNER = new SimulatedLearner();
    private static final Map<String, Object> PARAMS = LEARNER.withDefaults(Map.of("layers", 8, "noise", 0.0));
    /** Simulated channel pruning of 8 layers at 2x fewer FLOPs: every proposal projected onto the target. */
    private static final JobSpec SPEC = new JobSpec("ddpg", new JobSpec.Model("lenet5", null),
            new JobSpec.Dataset("synthetic", null, null),
            new JobSpec.Compression("simulated", PARAMS, Map.of("flopsRatio", 2.0)),
            new JobSpec.Search("ddpg", 40, 1, 1), null, null);

    @AfterEach
    void forgetAgents() {
        DdpgSampler.clearCache();
    }

    @Test
    void theOptimizerNamedDdpgIsThisSampler() {
        assertThat(Optimizers.create("ddpg", 3)).isInstanceOf(DdpgSampler.class);
    }

    @Test
    void sameSeedAndHistoryGiveTheSameProposalWhetherTheAgentIsCachedOrReplayed() {
        List<Observation> history = study(new DdpgSampler(5), 14);
        Map<String, Object> continued = new DdpgSampler(5).suggest(LEARNER.searchSpace(PARAMS), history, 15);
        DdpgSampler.clearCache();
        Map<String, Object> replayed = new DdpgSampler(5).suggest(LEARNER.searchSpace(PARAMS), history, 15);
        assertThat(replayed).isEqualTo(continued);
        // A whole study again, from nothing, proposes the same trials.
        DdpgSampler.clearCache();
        assertThat(configs(study(new DdpgSampler(5), 14))).isEqualTo(configs(history));
        assertThat(configs(study(new DdpgSampler(6), 14))).isNotEqualTo(configs(history));
    }

    @Test
    void pendingTrialsGetDifferentProposalsAndBoundsAndTypesHold() {
        SearchSpace mixed = new SearchSpace(List.of(new Parameter.FloatParameter("lr", 1e-4, 1e-1, true),
                new Parameter.IntParameter("bits", 2, 8),
                new Parameter.CategoricalParameter("mode", List.of("uniform", "non-uniform")),
                new Parameter.FloatParameter("ratio", 0.2, 1.0, false)));
        List<Observation> history = new ArrayList<>();
        Sampler sampler = new DdpgSampler(9);
        for (int n = 1; n <= 14; n++) {
            Map<String, Object> c = sampler.suggest(mixed, history, n);
            assertThat((Double) c.get("lr")).isBetween(1e-4, 1e-1);
            assertThat(c.get("bits")).isInstanceOf(Integer.class);
            assertThat((Integer) c.get("bits")).isBetween(2, 8);
            assertThat(c.get("mode")).isIn("uniform", "non-uniform");
            assertThat((Double) c.get("ratio")).isBetween(0.2, 1.0);
            double value = n % 5 == 0 ? Double.NaN : -Math.abs((Integer) c.get("bits") - 4) - (Double) c.get("lr");
            // A failed trial (no value) is skipped, never learned from.
            history.add(new Observation(n, "t" + n, c, Double.isNaN(value) ? null : value,
                    Double.isNaN(value) ? TrialState.FAILED : TrialState.EVALUATED));
        }
        // Two trials in flight at once: each draws its own exploration, so they differ.
        history.add(new Observation(15, "t15", sampler.suggest(mixed, history, 15), null, TrialState.RUNNING));
        assertThat(sampler.suggest(mixed, history, 16)).isNotEqualTo(history.get(14).config());
    }

    @Test
    void itLearnsWhereToPruneBetterThanRandomSearch() {
        // Early layers are sensitive, late ones carry the FLOPs: the best allocation prunes late layers. With every
        // proposal on the FLOPs budget, only the allocation differs between trials.
        int budget = 40;
        double ddpg = 0;
        double random = 0;
        long[] seeds = {1, 2, 3};
        for (long seed : seeds) {
            ddpg += best(study(new DdpgSampler(seed), budget));
            random += best(study(new RandomSampler(seed), budget));
        }
        ddpg /= seeds.length;
        random /= seeds.length;
        System.out.printf("simulated pruning, 8 layers, 2x FLOPs, %d trials: mean best accuracy ddpg %.4f, random %.4f%n",
                budget, ddpg, random);
        assertThat(ddpg).isGreaterThan(random);
    }

    private static List<Observation> study(Sampler sampler, int budget) {
        SearchSpace space = LEARNER.searchSpace(PARAMS);
        List<Observation> history = new ArrayList<>();
        for (int n = 1; n <= budget; n++) {
            Map<String, Object> config = LEARNER.complete(sampler.suggest(space, history, n), SPEC);
            double value = SimulatedLearner.measure(config, PARAMS, 1, n).get("accuracy");
            history.add(new Observation(n, "t" + n, config, value, TrialState.EVALUATED));
        }
        return history;
    }

    private static List<Map<String, Object>> configs(List<Observation> history) {
        return history.stream().map(Observation::config).toList();
    }

    private static double best(List<Observation> history) {
        ToDoubleFunction<Observation> value = Observation::value;
        return history.stream().mapToDouble(value).max().orElseThrow();
    }
}
