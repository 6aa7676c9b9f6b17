package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectiveTest {
    @Test
    void infeasibleRanksBelowEveryFeasibleCandidate() {
        Map<String, Double> target = Map.of("flopsRatio", 2.0);
        Double feasibleButWorse = Objective.value(Map.of("accuracy", 0.50, "flopsRatio", 2.0), target);
        Double infeasibleButBetter = Objective.value(Map.of("accuracy", 0.95, "flopsRatio", 1.5), target);
        assertThat(feasibleButWorse).isEqualTo(0.50);
        assertThat(infeasibleButBetter).isLessThan(feasibleButWorse);
    }

    @Test
    void bestIsTheHighestValueWithTheEarlierTrialWinningTies() {
        record Candidate(int number, Double value) {
        }
        java.util.List<Candidate> all = java.util.List.of(new Candidate(3, 0.7), new Candidate(1, null),
                new Candidate(2, 0.7), new Candidate(4, 0.6));
        assertThat(Objective.best(all, Candidate::value, Candidate::number)).contains(new Candidate(2, 0.7));
        assertThat(Objective.best(java.util.List.of(new Candidate(1, null)), Candidate::value, Candidate::number))
                .isEmpty();
    }

    @Test
    void missingAccuracyMeansNoValue() {
        assertThat(Objective.value(Map.of(), Map.of())).isNull();
        assertThat(Objective.feasible(Map.of("accuracy", 0.9), Map.of("flopsRatio", 2.0))).isFalse();
        assertThat(Objective.feasible(Map.of("accuracy", 0.9), null)).isTrue();
    }

    @Test
    void latencyRatioIsALowerBoundAndLatencyMsAnUpperBound() {
        Map<String, Double> target = Map.of("latencyRatio", 2.0, "latencyMs", 5.0);
        assertThat(Objective.unmet(Map.of("accuracy", 0.9, "latencyRatio", 2.5, "latencyMs", 4.0), target)).isEmpty();
        assertThat(Objective.unmet(Map.of("accuracy", 0.9, "latencyRatio", 1.5, "latencyMs", 4.0), target))
                .containsExactly("latencyRatio");
        assertThat(Objective.unmet(Map.of("accuracy", 0.9, "latencyRatio", 2.5, "latencyMs", 6.0), target))
                .containsExactly("latencyMs");
        // An unmet latency target is penalised like any other, so a slower trial ranks below a feasible one.
        assertThat(Objective.value(Map.of("accuracy", 0.95, "latencyRatio", 1.5, "latencyMs", 4.0), target))
                .isLessThan(Objective.value(Map.of("accuracy", 0.5, "latencyRatio", 2.0, "latencyMs", 5.0), target));
    }

    @Test
    void equivalentBitsIsAnUpperBound() {
        // Mixed precision under 4 equivalent bits: 3.5 bits meets it, 4.5 does not (it was read as "at least" once,
        // which penalised every trial below the budget).
        Map<String, Double> target = Map.of("equivalentBits", 4.0);
        assertThat(Objective.unmet(Map.of("accuracy", 0.9, "equivalentBits", 3.5), target)).isEmpty();
        assertThat(Objective.unmet(Map.of("accuracy", 0.9, "equivalentBits", 4.0), target)).isEmpty();
        assertThat(Objective.unmet(Map.of("accuracy", 0.9, "equivalentBits", 4.5), target))
                .containsExactly("equivalentBits");
    }
}
