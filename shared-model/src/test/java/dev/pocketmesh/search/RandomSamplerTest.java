package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomSamplerTest {
    private final SearchSpace space = new SearchSpace(List.of(
            new Parameter.FloatParameter("lr", 1e-4, 1e-1, true),
            new Parameter.FloatParameter("ratio", 0.25, 1.0, false),
            new Parameter.IntParameter("bits", 2, 8),
            new Parameter.CategoricalParameter("criterion", List.of("l1", "l2", "bn"))));

    @Test
    void respectsBoundsAndTypes() {
        RandomSampler sampler = new RandomSampler(3);
        for (int n = 1; n <= 500; n++) {
            Map<String, Object> c = sampler.suggest(space, List.of(), n);
            assertThat((Double) c.get("lr")).isBetween(1e-4, 1e-1);
            assertThat((Double) c.get("ratio")).isBetween(0.25, 1.0);
            assertThat((Integer) c.get("bits")).isBetween(2, 8);
            assertThat(c.get("criterion")).isIn("l1", "l2", "bn");
        }
    }

    @Test
    void sameSeedAndNumberGiveTheSameConfigurationWhateverCameBefore() {
        Map<String, Object> direct = new RandomSampler(11).suggest(space, List.of(), 7);
        RandomSampler other = new RandomSampler(11);
        for (int n = 1; n < 7; n++) {
            other.suggest(space, List.of(), n);
        }
        assertThat(other.suggest(space, List.of(), 7)).isEqualTo(direct);
        assertThat(new RandomSampler(12).suggest(space, List.of(), 7)).isNotEqualTo(direct);
    }

    @Test
    void logScaleSpreadsOverDecades() {
        RandomSampler sampler = new RandomSampler(1);
        long belowMilli = 0;
        for (int n = 1; n <= 1000; n++) {
            if ((Double) sampler.suggest(space, List.of(), n).get("lr") < 1e-3) {
                belowMilli++;
            }
        }
        // One of the three decades: a third of the draws on a log scale, 1 % on a linear one.
        assertThat(belowMilli).isBetween(250L, 420L);
    }
}
