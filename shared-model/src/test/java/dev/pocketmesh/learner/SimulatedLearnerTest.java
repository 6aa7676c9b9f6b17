package dev.pocketmesh.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedLearnerTest {
    private final SimulatedLearner learner = new SimulatedLearner();
    private final Map<String, Object> params = learner.withDefaults(Map.of("layers", 4, "noise", 0.0));

    @Test
    void baselineIsTheFullNetwork() {
        Map<String, Double> m = SimulatedLearner.measure(learner.baselineConfig(params), params, 1, 0);
        assertThat(m.get("flopsRatio")).isEqualTo(1.0);
        assertThat(m.get("accuracy")).isEqualTo(0.9);
        assertThat(learner.searchSpace(params).parameters()).hasSize(4);
    }

    @Test
    void pruningCheapLateLayersCostsLessAccuracyThanEarlyOnesForMoreFlops() {
        Map<String, Double> late = SimulatedLearner.measure(ratios(1, 1, 0.5, 0.5), params, 1, 1);
        Map<String, Double> early = SimulatedLearner.measure(ratios(0.5, 0.5, 1, 1), params, 1, 1);
        assertThat(late.get("flopsRatio")).isGreaterThan(early.get("flopsRatio"));
        assertThat(late.get("accuracy")).isGreaterThan(early.get("accuracy"));
        assertThat(late.get("latencyMs")).isLessThan(early.get("latencyMs"));
    }

    @Test
    void intermediateAccuracyRisesTowardsTheFinal() {
        double a1 = SimulatedLearner.accuracyAfterEpoch(0.9, 1, 4);
        double a4 = SimulatedLearner.accuracyAfterEpoch(0.9, 4, 4);
        assertThat(a1).isLessThan(a4);
        assertThat(a4).isLessThan(0.9).isGreaterThan(0.85);
    }

    @Test
    void failuresFollowTheProbabilityAndAreReproducible() {
        Map<String, Object> flaky = Map.of("failProbability", 0.3);
        int failed = 0;
        for (int n = 1; n <= 1000; n++) {
            if (SimulatedLearner.fails(flaky, 5, n)) {
                failed++;
            }
            assertThat(SimulatedLearner.fails(flaky, 5, n)).isEqualTo(SimulatedLearner.fails(flaky, 5, n));
        }
        assertThat(failed).isBetween(240, 360);
        assertThat(SimulatedLearner.fails(Map.of(), 5, 1)).isFalse();
    }

    @Test
    void validationNamesBadParameters() {
        assertThat(learner.validate(Map.of("layers", 0, "sleepMs", -1, "shape", "x"), "p"))
                .extracting(e -> e.field()).containsExactlyInAnyOrder("p.layers", "p.sleepMs", "p.shape");
    }

    private static Map<String, Object> ratios(double... r) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (int i = 0; i < r.length; i++) {
            config.put(SimulatedLearner.RATIO_PREFIX + i, r[i]);
        }
        return config;
    }

    @Test
    void proposalsAreProjectedOntoTheFlopsTargetWithinOnePercent() {
        dev.pocketmesh.spec.JobSpec spec = new dev.pocketmesh.spec.JobSpec("s",
                new dev.pocketmesh.spec.JobSpec.Model("lenet5", null),
                new dev.pocketmesh.spec.JobSpec.Dataset("synthetic", null, null),
                new dev.pocketmesh.spec.JobSpec.Compression("simulated", params, Map.of("flopsRatio", 2.5)),
                new dev.pocketmesh.spec.JobSpec.Search("random", 10, 1, 1), null, null);
        dev.pocketmesh.search.RandomSampler sampler = new dev.pocketmesh.search.RandomSampler(4);
        int projected = 0;
        for (int n = 1; n <= 30; n++) {
            Map<String, Object> suggestion = sampler.suggest(learner.searchSpace(params), java.util.List.of(), n);
            Map<String, Object> config = learner.complete(suggestion, spec);
            double ratio = SimulatedLearner.measure(config, params, 1, n).get("flopsRatio");
            // On the budget whichever side the suggestion missed it: shrunk onto it, or grown onto it.
            assertThat(ratio).as("trial " + n).isBetween(2.5, 2.5 * 1.01);
            if (config.values().stream().noneMatch(v -> (Double) v == 1.0)) {
                projected++;
                // One factor for every layer above minRatio: the optimiser's proportions are kept.
                int free = java.util.stream.IntStream.range(0, 4).filter(i -> (Double) config.get("ratio." + i) > 0.25)
                        .findFirst().orElseThrow();
                double factor = (Double) config.get("ratio." + free) / (Double) suggestion.get("ratio." + free);
                for (int i = 0; i < 4; i++) {
                    double r = (Double) config.get("ratio." + i);
                    assertThat(r).isGreaterThanOrEqualTo(0.25);
                    if (r > 0.25) {
                        assertThat(r).isCloseTo((Double) suggestion.get("ratio." + i) * factor,
                                org.assertj.core.data.Offset.offset(1e-9));
                    }
                }
            }
        }
        assertThat(projected).isGreaterThan(10);
        assertThat(learner.validateJob(new dev.pocketmesh.spec.JobSpec("s", spec.model(), spec.dataset(),
                new dev.pocketmesh.spec.JobSpec.Compression("simulated", params, Map.of("flopsRatio", 5.0)),
                spec.search(), null, null))).extracting(dev.pocketmesh.contracts.FieldError::field)
                .containsExactly("compression.target.flopsRatio");
    }
}
