package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.spec.JobSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParetoTest {
    private static ParetoChoice.Member m(int n, double accuracy, double cost) {
        return new ParetoChoice.Member("t" + n, n, accuracy, cost);
    }

    /** A bent front: accuracy climbs fast until cost 2, then barely; trial 5 is dominated by trial 2. */
    private static final List<ParetoChoice.Member> BENT = List.of(m(1, 0.60, 1.0), m(2, 0.85, 2.0), m(3, 0.88, 4.0),
            m(4, 0.90, 8.0), m(5, 0.80, 3.0), m(6, 0.70, 1.5));

    @Test
    void theFrontHoldsExactlyTheUndominated() {
        ParetoChoice.Choice c = ParetoChoice.choose(BENT, new JobSpec.Pareto("latencyMs", "knee", null)).orElseThrow();
        assertThat(c.front()).extracting(ParetoChoice.Member::number).containsExactly(1, 2, 3, 4, 6);
        assertThat(Pareto.dominates(new double[] {1, 1}, new double[] {1, 1})).isFalse();
        assertThat(Pareto.dominates(new double[] {1, 2}, new double[] {1, 1})).isTrue();
        assertThat(Pareto.front(List.of(new Pareto.Point(1, new double[] {1, 1}), new Pareto.Point(2, new double[] {1, 1}))))
                .hasSize(2);
    }

    @Test
    void theKneeIsWhereMoreCostStopsBuyingAccuracy() {
        ParetoChoice.Choice c = ParetoChoice.choose(BENT, new JobSpec.Pareto("latencyMs", "knee", null)).orElseThrow();
        assertThat(c.picked().number()).isEqualTo(2);
        assertThat(c.reason()).contains("knee");
        // A front of two: the more accurate one.
        assertThat(ParetoChoice.choose(List.of(m(1, 0.6, 1), m(2, 0.9, 5)), new JobSpec.Pareto("bytes", "knee", null))
                .orElseThrow().picked().number()).isEqualTo(2);
        // A straight front has no knee beyond its line: the most accurate extreme.
        assertThat(ParetoChoice.choose(List.of(m(1, 0.6, 1), m(2, 0.7, 2), m(3, 0.8, 3)),
                new JobSpec.Pareto("bytes", "knee", null)).orElseThrow().picked().number()).isEqualTo(3);
    }

    @Test
    void maxAccuracyUnderABoundAndItsFallback() {
        JobSpec.Pareto under3 = new JobSpec.Pareto("latencyMs", "max-accuracy-under", 3.0);
        assertThat(ParetoChoice.choose(BENT, under3).orElseThrow().picked().number()).isEqualTo(2);
        JobSpec.Pareto under5 = new JobSpec.Pareto("latencyMs", "max-accuracy-under", 5.0);
        assertThat(ParetoChoice.choose(BENT, under5).orElseThrow().picked().number()).isEqualTo(3);
        ParetoChoice.Choice none = ParetoChoice.choose(BENT, new JobSpec.Pareto("latencyMs", "max-accuracy-under", 0.5))
                .orElseThrow();
        assertThat(none.picked().number()).isEqualTo(1);
        assertThat(none.reason()).contains("no trial has latencyMs ≤ 0.5");
        assertThat(ParetoChoice.choose(List.of(), under3)).isEmpty();
    }

    @Test
    void onlyFeasibleMeasuredTrialsAreMembers() {
        Map<String, Double> target = Map.of("flopsRatio", 2.0);
        assertThat(ParetoChoice.member("a", 1, Map.of("accuracy", 0.9, "latencyMs", 1.0, "flopsRatio", 2.0), target,
                "latencyMs")).isPresent();
        assertThat(ParetoChoice.member("b", 2, Map.of("accuracy", 0.9, "latencyMs", 1.0, "flopsRatio", 1.5), target,
                "latencyMs")).isEmpty();
        assertThat(ParetoChoice.member("c", 3, Map.of("accuracy", 0.9), null, "latencyMs")).isEmpty();
    }

    @Test
    void parEgoSpreadsWeightsAndRanksTheFrontFirst() {
        List<Pareto.Point> points = List.of(new Pareto.Point(1, new double[] {0.9, -5}),
                new Pareto.Point(2, new double[] {0.6, -1}), new Pareto.Point(3, new double[] {0.5, -6}));
        double[] w = Pareto.parEgoWeights(7, 3, 2);
        assertThat(w[0] + w[1]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Pareto.parEgoWeights(7, 4, 2)).isNotEqualTo(w);
        Map<Integer, Double> v = Pareto.parEgo(points, w);
        // Trial 3 is dominated by both others: it scores lowest whatever the weights.
        assertThat(v.get(3)).isLessThan(v.get(1)).isLessThan(v.get(2) + 1);
        assertThat(v.get(3)).isLessThan(v.get(2));
    }
}
