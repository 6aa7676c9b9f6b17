package dev.pocketmesh.search;

import dev.pocketmesh.contracts.TrialState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/** Sequential studies on the benchmark functions, for the optimiser tests. */
final class Studies {
    private Studies() {
    }

    /** Best-found regret of one sequential study of {@code budget} trials (the sampler maximises -f). */
    static double bestRegret(Sampler sampler, BenchmarkFunctions.Function f, int budget) {
        List<Observation> history = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int n = 1; n <= budget; n++) {
            Map<String, Object> config = sampler.suggest(f.space(), history, n);
            double value = f.valueAt(config);
            best = Math.min(best, value);
            history.add(new Observation(n, "t" + n, config, -value, TrialState.EVALUATED));
        }
        return f.regret(best);
    }

    /** Mean best-found regret over seeds 1..seeds. */
    static double meanRegret(LongFunction<Sampler> samplers, BenchmarkFunctions.Function f, int budget, int seeds) {
        double sum = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            sum += bestRegret(samplers.apply(seed), f, budget);
        }
        return sum / seeds;
    }

    /** The mixed space the sampler tests share: a log float, a linear float, an int, a categorical. */
    static SearchSpace mixedSpace() {
        return new SearchSpace(List.of(
                new Parameter.FloatParameter("lr", 1e-4, 1e-1, true),
                new Parameter.FloatParameter("ratio", 0.25, 1.0, false),
                new Parameter.IntParameter("bits", 2, 8),
                new Parameter.CategoricalParameter("criterion", List.of("l1", "l2", "bn"))));
    }

    static void assertValid(Map<String, Object> c) {
        org.assertj.core.api.Assertions.assertThat(c).containsOnlyKeys("lr", "ratio", "bits", "criterion");
        org.assertj.core.api.Assertions.assertThat(c.get("lr")).isInstanceOf(Double.class);
        org.assertj.core.api.Assertions.assertThat((Double) c.get("lr")).isBetween(1e-4, 1e-1);
        org.assertj.core.api.Assertions.assertThat((Double) c.get("ratio")).isBetween(0.25, 1.0);
        org.assertj.core.api.Assertions.assertThat(c.get("bits")).isInstanceOf(Integer.class);
        org.assertj.core.api.Assertions.assertThat((Integer) c.get("bits")).isBetween(2, 8);
        org.assertj.core.api.Assertions.assertThat(c.get("criterion")).isIn("l1", "l2", "bn");
    }
}
