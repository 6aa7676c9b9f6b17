package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ProjectedSuggestionTest {
    private static final SearchSpace SPACE = new SearchSpace(List.of(new Parameter.FloatParameter("x", 0, 1, false),
            new Parameter.FloatParameter("y", 0, 1, false)));
    /** A coarse projection: every value snapped to a quarter, as whole channels snap ratios. */
    private static final UnaryOperator<Map<String, Object>> SNAP = c -> {
        Map<String, Object> out = new LinkedHashMap<>();
        c.forEach((k, v) -> out.put(k, Math.round((Double) v * 4) / 4.0));
        return out;
    };

    @Test
    void modelBasedStudiesDoNotSpendTrialsOnRepeatedProjections() {
        for (String name : List.of("tpe", "gp", "random")) {
            List<Observation> history = new ArrayList<>();
            Sampler sampler = Optimizers.create(name, 3);
            for (int n = 1; n <= 20; n++) {
                Map<String, Object> c = ProjectedSuggestion.next(sampler, 3, SPACE, history, n, SNAP);
                // A smooth objective peaked at (0.75, 0.25): a model keeps refining near the peak.
                double v = -Math.pow((Double) c.get("x") - 0.7, 2) - Math.pow((Double) c.get("y") - 0.3, 2);
                history.add(new Observation(n, "t" + n, c, v, TrialState.EVALUATED));
            }
            long distinct = new HashSet<>(history.stream().map(Observation::config).toList()).size();
            // 25 grid points exist; a few repeats may survive the retries, far fewer than without them.
            assertThat(distinct).as(name).isGreaterThanOrEqualTo(18);
        }
    }

    @Test
    void theSameHistoryGivesTheSameProposal() {
        List<Observation> history = new ArrayList<>();
        for (int n = 1; n <= 12; n++) {
            Map<String, Object> c = ProjectedSuggestion.next(new TpeSampler(5), 5, SPACE, history, n, SNAP);
            history.add(new Observation(n, "t" + n, c, (Double) c.get("x"), TrialState.EVALUATED));
        }
        assertThat(ProjectedSuggestion.next(new TpeSampler(5), 5, SPACE, history, 13, SNAP))
                .isEqualTo(ProjectedSuggestion.next(new TpeSampler(5), 5, SPACE, history, 13, SNAP));
    }

    @Test
    void aScreenRefusingEveryTryStillProposesTheFirstNewConfigurationAfterBoundedTries() {
        List<Map<String, Object>> screened = new ArrayList<>();
        Map<String, Object> c = ProjectedSuggestion.next(Optimizers.create("tpe", 5), 5, SPACE, List.of(), 1, SNAP,
                config -> {
                    screened.add(config);
                    return false;
                });
        // Every try was screened, no more than the bounded number, and the first goes out (its measurement decides).
        assertThat(screened).hasSize(2 * ProjectedSuggestion.RETRIES + 1);
        assertThat(c).isEqualTo(screened.get(0));
        // A screen admitting the third try stops the search there.
        List<Map<String, Object>> tries = new ArrayList<>();
        Map<String, Object> third = ProjectedSuggestion.next(Optimizers.create("tpe", 5), 5, SPACE, List.of(), 1, SNAP,
                config -> {
                    tries.add(config);
                    return tries.size() == 3;
                });
        assertThat(tries).hasSize(3);
        assertThat(third).isEqualTo(tries.get(2));
    }
}
