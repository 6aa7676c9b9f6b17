package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GridSamplerTest {
    private final SearchSpace space = Studies.mixedSpace();

    @Test
    void axesFollowTheParameterKinds() {
        SearchSpace s = new SearchSpace(List.of(
                new Parameter.FloatParameter("lr", 1e-4, 1e-1, true),
                new Parameter.FloatParameter("ratio", 0.25, 1.0, false),
                new Parameter.IntParameter("bits", 2, 5),
                new Parameter.IntParameter("width", 0, 100),
                new Parameter.CategoricalParameter("criterion", List.of("l1", "l2", "bn"))));
        List<List<Object>> axes = new GridSampler(1, 4).axes(s);
        assertThat((List<?>) axes.get(0)).hasSize(4);
        double[] lr = axes.get(0).stream().mapToDouble(v -> (Double) v).toArray();
        assertThat(lr[0]).isEqualTo(1e-4);
        assertThat(lr[1]).isCloseTo(1e-3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(lr[2]).isCloseTo(1e-2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(lr[3]).isEqualTo(1e-1);
        assertThat(axes.get(1)).containsExactly(0.25, 0.5, 0.75, 1.0);
        assertThat(axes.get(2)).containsExactly(2, 3, 4, 5);
        assertThat(axes.get(3)).containsExactly(0, 33, 67, 100);
        assertThat(axes.get(4)).containsExactly("l1", "l2", "bn");
        assertThat(new GridSampler(1, 4).cellCount(s)).isEqualTo(4L * 4 * 4 * 4 * 3);
    }

    @Test
    void coversEveryCellOnceThenStartsOver() {
        GridSampler sampler = new GridSampler(5, 3);
        long cells = sampler.cellCount(space);
        assertThat(cells).isEqualTo(3 * 3 * 3 * 3); // bits 2..8 is wider than 3 points: 2, 5, 8
        List<Observation> history = new ArrayList<>();
        Map<Map<String, Object>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= 2 * cells + 5; n++) {
            Map<String, Object> c = sampler.suggest(space, history, n);
            Studies.assertValid(c);
            int seen = counts.merge(c, 1, Integer::sum);
            // Round r (of `cells` trials each) uses every cell for the r-th time.
            assertThat(seen).as("trial %d", n).isEqualTo((int) ((n - 1) / cells) + 1);
            // Half the trials still running, some failed: any state marks a cell as used.
            TrialState state = n % 2 == 0 ? TrialState.RUNNING : n % 3 == 0 ? TrialState.FAILED : TrialState.EVALUATED;
            history.add(new Observation(n, "t" + n, c, state == TrialState.EVALUATED ? 1.0 : null, state));
        }
        assertThat(counts).hasSize((int) cells);
    }

    @Test
    void aShortBudgetSpreadsOverTheGrid() {
        // 20 of 100 cells on a 10 x 10 grid: the shuffled order reaches most rows and columns, not one corner.
        SearchSpace square = BenchmarkFunctions.branin().space();
        List<Observation> history = new ArrayList<>();
        Set<Object> rows = new HashSet<>();
        Set<Object> columns = new HashSet<>();
        for (int n = 1; n <= 20; n++) {
            Map<String, Object> c = new GridSampler(2, 10).suggest(square, history, n);
            rows.add(c.get("x0"));
            columns.add(c.get("x1"));
            history.add(new Observation(n, "t" + n, c, 0.0, TrialState.EVALUATED));
        }
        assertThat(rows.size()).isGreaterThanOrEqualTo(7);
        assertThat(columns.size()).isGreaterThanOrEqualTo(7);
    }

    @Test
    void deterministicAndSeeded() {
        List<Observation> history = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            Map<String, Object> c = new GridSampler(1, 3).suggest(space, history, n);
            history.add(new Observation(n, "t" + n, c, 1.0, TrialState.EVALUATED));
        }
        Map<String, Object> sixth = new GridSampler(7, 3).suggest(space, history, 6);
        assertThat(new GridSampler(7, 3).suggest(space, history, 6)).isEqualTo(sixth);
        List<Map<String, Object>> a = new ArrayList<>();
        List<Map<String, Object>> b = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            a.add(new GridSampler(7, 3).suggest(space, List.of(), n));
            b.add(new GridSampler(8, 3).suggest(space, List.of(), n));
        }
        assertThat(a).isNotEqualTo(b);
        // Re-proposing a trial the history already holds (a restart) gives the same cell.
        List<Observation> withItself = new ArrayList<>(history);
        withItself.add(new Observation(6, "t6", sixth, null, TrialState.PROPOSED));
        assertThat(new GridSampler(7, 3).suggest(space, withItself, 6)).isEqualTo(sixth);
    }

    @Test
    void valuesBackFromJsonStillMatchTheirCells() {
        // An int as Long and a float as the same double, as a JSON round trip may hand them back.
        GridSampler sampler = new GridSampler(3, 3);
        Map<String, Object> first = sampler.suggest(space, List.of(), 1);
        Map<String, Object> roundTripped = new HashMap<>(first);
        roundTripped.put("bits", ((Integer) first.get("bits")).longValue());
        List<Observation> history = List.of(new Observation(9, "t9", roundTripped, 1.0, TrialState.EVALUATED));
        // Trial 1 starts at the cell trial 9 holds, finds it used, and moves on.
        assertThat(sampler.suggest(space, history, 1)).isNotEqualTo(first);
    }

    @Test
    void emptySpaceAndOnePoint() {
        assertThat(new GridSampler(1, 5).suggest(new SearchSpace(List.of()), List.of(), 3)).isEmpty();
        SearchSpace one = new SearchSpace(List.of(new Parameter.FloatParameter("x", 2, 4, false),
                new Parameter.IntParameter("k", 0, 9)));
        assertThat(new GridSampler(1, 1).suggest(one, List.of(), 1)).containsEntry("x", 3.0).containsEntry("k", 4);
    }
}
