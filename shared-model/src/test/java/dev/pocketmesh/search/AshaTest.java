package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AshaTest {

    @Test
    void rungsAreGeometricAndNeverTheLastEpoch() {
        Asha asha = new Asha(1, 3, 3);
        assertThat(IntStream.rangeClosed(1, 27).filter(e -> asha.isRung(e, 27)).boxed().toList())
                .containsExactly(1, 3, 9);
        assertThat(IntStream.rangeClosed(1, 9).filter(e -> asha.isRung(e, 9)).boxed().toList())
                .containsExactly(1, 3);
        Asha fromTwo = new Asha(2, 2, 3);
        assertThat(IntStream.rangeClosed(1, 20).filter(e -> fromTwo.isRung(e, 20)).boxed().toList())
                .containsExactly(2, 4, 8, 16);
        assertThat(new Asha(1, 3, 3).isRung(1, 1)).isFalse();
    }

    @Test
    void everyoneContinuesWhileARungHoldsOnlyGraceTrials() {
        Asha asha = new Asha(1, 3, 3);
        assertThat(asha.continues(1, 0)).isTrue();
        assertThat(asha.continues(3, 2)).isTrue();
        // The fourth arrival is compared: only the best one of four (⌊4/3⌋ = 1) goes on.
        assertThat(asha.continues(4, 1)).isFalse();
        assertThat(asha.continues(4, 0)).isTrue();
        // Six reached: the best two go on.
        assertThat(asha.continues(6, 1)).isTrue();
        assertThat(asha.continues(6, 2)).isFalse();
    }

    @Test
    void aboutOneInFactorOfRandomArrivalsGoesOn() {
        Asha asha = new Asha(1, 3, 3);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        List<Double> seen = new ArrayList<>();
        int continued = 0;
        int n = 300;
        for (int i = 0; i < n; i++) {
            double v = random.nextDouble();
            seen.add(v);
            long better = seen.stream().filter(x -> x > v).count();
            if (asha.continues(seen.size(), better)) {
                continued++;
            }
        }
        // Each arrival goes on when it is in the top third of those so far: about a third overall.
        assertThat(continued).isBetween(n / 4, n / 2);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new Asha(0, 3, 3)).hasMessageContaining("minEpochs");
        assertThatThrownBy(() -> new Asha(1, 1, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
