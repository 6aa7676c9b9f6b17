package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Conditional parameters: validation, which parameters apply, and optimisers searching such a space. */
class ConditionalSpaceTest {
    /** A quantization-like space: clusters apply to non-uniform only, the scale only to one of its encodings. */
    static final SearchSpace SPACE = new SearchSpace(List.of(
            new Parameter.CategoricalParameter("mode", List.of("uniform", "non-uniform")),
            new Parameter.IntParameter("bits", 2, 8),
            new Parameter.IntParameter("clusters", 2, 32, new Parameter.Condition("mode", List.of("non-uniform"))),
            new Parameter.CategoricalParameter("init", List.of("linear", "density"),
                    new Parameter.Condition("mode", List.of("non-uniform"))),
            new Parameter.FloatParameter("scale", 0.01, 1.0, true, new Parameter.Condition("init", List.of("density")))));

    /** Best (1.0) only on the conditional branch: non-uniform, 12 clusters, density init, scale 0.1. */
    static double objective(Map<String, Object> c) {
        double bits = ((Number) c.get("bits")).intValue();
        double value = 0.6 - 0.01 * Math.abs(bits - 4);
        if ("non-uniform".equals(c.get("mode"))) {
            value += 0.2 - 0.01 * Math.abs(((Number) c.get("clusters")).intValue() - 12);
            if ("density".equals(c.get("init"))) {
                value += 0.2 - 0.1 * Math.abs(Math.log10(((Number) c.get("scale")).doubleValue()) + 1);
            }
        }
        return value;
    }

    @Test
    void onlyTheParametersThatApplyAreKept() {
        Map<String, Object> all = Map.of("mode", "uniform", "bits", 4, "clusters", 8, "init", "density", "scale", 0.5);
        assertThat(SPACE.activeOnly(all)).containsOnlyKeys("mode", "bits");
        Map<String, Object> nonUniform = Map.of("mode", "non-uniform", "bits", 4, "clusters", 8, "init", "linear",
                "scale", 0.5);
        assertThat(SPACE.activeOnly(nonUniform)).containsOnlyKeys("mode", "bits", "clusters", "init");
        assertThat(SPACE.activeOnly(Map.of("mode", "non-uniform", "bits", 4, "clusters", 8, "init", "density",
                "scale", 0.5))).containsOnlyKeys("mode", "bits", "clusters", "init", "scale");
        // Reading back, what did not apply gets a placeholder; what did is untouched.
        assertThat(SPACE.filled(Map.of("mode", "uniform", "bits", 3)))
                .containsEntry("bits", 3).containsEntry("clusters", 17).containsEntry("init", "linear")
                .containsKey("scale");
    }

    @Test
    void aConditionMustNameAnEarlierParameterAndItsChoices() {
        Parameter later = new Parameter.IntParameter("k", 1, 2, new Parameter.Condition("mode", List.of("a")));
        assertThatThrownBy(() -> new SearchSpace(List.of(later,
                new Parameter.CategoricalParameter("mode", List.of("a", "b")))))
                .hasMessageContaining("k: its condition's parent 'mode' must be a parameter declared before it");
        assertThatThrownBy(() -> new SearchSpace(List.of(new Parameter.CategoricalParameter("mode", List.of("a", "b")),
                new Parameter.IntParameter("k", 1, 2, new Parameter.Condition("mode", List.of("c"))))))
                .hasMessageContaining("condition value c is not a choice of 'mode'");
        assertThatThrownBy(() -> new Parameter.Condition("mode", List.of())).hasMessageContaining("at least one value");
    }

    @Test
    void spacesSurviveJsonWithAndWithoutConditions() {
        SearchSpace back = Json.read(Json.write(SPACE), SearchSpace.class);
        assertThat(back).isEqualTo(SPACE);
        SearchSpace old = Json.read("{\"parameters\":[{\"type\":\"float\",\"name\":\"x\",\"low\":0,\"high\":1,"
                + "\"log\":false}]}", SearchSpace.class);
        assertThat(old.parameters().get(0).when()).isNull();
        assertThat(Json.write(old)).doesNotContain("when");
    }

    @Test
    void everyOptimizerProposesOnlyParametersThatApplyWithinTheirBounds() {
        for (String name : List.of("random", "grid", "sobol", "tpe", "gp")) {
            List<Observation> history = run(Optimizers.create(name, 3), 14);
            for (Observation o : history) {
                Map<String, Object> c = o.config();
                assertThat(c).as(name).containsKeys("mode", "bits");
                assertThat(c.containsKey("clusters")).as(name + " " + c).isEqualTo("non-uniform".equals(c.get("mode")));
                assertThat(c.containsKey("scale")).as(name + " " + c).isEqualTo("density".equals(c.get("init")));
                assertThat(((Number) c.get("bits")).intValue()).isBetween(2, 8);
                if (c.containsKey("scale")) {
                    assertThat(((Number) c.get("scale")).doubleValue()).isBetween(0.01, 1.0);
                }
            }
        }
    }

    @Test
    void modelBasedOptimizersFindTheConditionalOptimumBetterThanRandom() {
        int budget = 40;
        for (String name : List.of("tpe", "gp")) {
            double model = 0;
            double random = 0;
            for (long seed = 1; seed <= 4; seed++) {
                model += best(run(Optimizers.create(name, seed), budget));
                random += best(run(new RandomSampler(seed), budget));
            }
            assertThat(model / 4).as(name + " mean best vs random's %.4f", random / 4).isGreaterThan(random / 4);
        }
    }

    private static List<Observation> run(Sampler sampler, int budget) {
        List<Observation> history = new ArrayList<>();
        for (int n = 1; n <= budget; n++) {
            Map<String, Object> config = SPACE.activeOnly(sampler.suggest(SPACE, history, n));
            history.add(new Observation(n, "t" + n, config, objective(config), TrialState.EVALUATED));
        }
        return history;
    }

    private static double best(List<Observation> history) {
        return history.stream().mapToDouble(Observation::value).max().orElseThrow();
    }
}
