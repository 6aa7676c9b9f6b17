package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SobolSamplerTest {
    private final SearchSpace space = Studies.mixedSpace();

    @Test
    void respectsBoundsTypesAndLogScale() {
        SobolSampler sampler = new SobolSampler(3);
        int belowMilli = 0;
        int[] bits = new int[9];
        for (int n = 1; n <= 512; n++) {
            Map<String, Object> c = sampler.suggest(space, List.of(), n);
            Studies.assertValid(c);
            if ((Double) c.get("lr") < 1e-3) {
                belowMilli++;
            }
            bits[(Integer) c.get("bits")]++;
        }
        // One decade of three on a log scale; a quasi-random sequence hits the third almost exactly.
        assertThat(belowMilli).isBetween(160, 182);
        for (int b = 2; b <= 8; b++) {
            assertThat(bits[b]).isBetween(512 / 7 - 3, 512 / 7 + 3);
        }
    }

    @Test
    void firstPowerOfTwoTrialsStratifyEveryCoordinate() {
        SearchSpace unit = BenchmarkFunctions.hartmann6().space();
        for (long seed : new long[] {1, 2, 99}) {
            SobolSampler sampler = new SobolSampler(seed);
            int[][] slices = new int[6][64];
            for (int n = 1; n <= 64; n++) {
                Map<String, Object> c = sampler.suggest(unit, List.of(), n);
                for (int d = 0; d < 6; d++) {
                    slices[d][(int) ((Double) c.get("x" + d) * 64)]++;
                }
            }
            for (int d = 0; d < 6; d++) {
                assertThat(slices[d]).as("seed %d, x%d", seed, d).containsOnly(1);
            }
        }
    }

    @Test
    void dependsOnlyOnSeedAndTrialNumber() {
        Map<String, Object> direct = new SobolSampler(11).suggest(space, List.of(), 7);
        SobolSampler other = new SobolSampler(11);
        for (int n = 1; n < 7; n++) {
            other.suggest(space, List.of(), n);
        }
        List<Observation> history = List.of(
                new Observation(1, "a", Map.of("lr", 0.01, "ratio", 0.5, "bits", 3, "criterion", "l1"), 1.0,
                        TrialState.EVALUATED),
                new Observation(2, "b", null, null, TrialState.FAILED));
        assertThat(other.suggest(space, history, 7)).isEqualTo(direct);
        assertThat(new SobolSampler(12).suggest(space, List.of(), 7)).isNotEqualTo(direct);
        assertThat(new SobolSampler(11).suggest(space, List.of(), 8)).isNotEqualTo(direct);
    }

    @Test
    void emptySpaceGivesEmptyConfiguration() {
        assertThat(new SobolSampler(1).suggest(new SearchSpace(List.of()), List.of(), 1)).isEmpty();
    }

    @Test
    void beatsRandomOnBraninAndRosenbrock() {
        // 64 trials, 5 seeds. On Hartmann-6 a best-of-64 search gains nothing measurable from even spacing (400
        // seeds: mean regret 1.49 for sobol, 1.45 for random), so it is not asserted there.
        for (BenchmarkFunctions.Function f : List.of(BenchmarkFunctions.branin(), BenchmarkFunctions.rosenbrock4())) {
            double sobol = Studies.meanRegret(SobolSampler::new, f, 64, 5);
            double random = Studies.meanRegret(RandomSampler::new, f, 64, 5);
            assertThat(sobol).as(f.name() + ": sobol %s vs random %s", sobol, random).isLessThan(random);
        }
    }
}
