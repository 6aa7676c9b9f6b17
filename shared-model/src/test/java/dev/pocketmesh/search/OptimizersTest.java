package dev.pocketmesh.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptimizersTest {

    @Test
    void everyBuiltInNameMakesItsSampler() {
        assertThat(Optimizers.create("random", 1)).isInstanceOf(RandomSampler.class);
        assertThat(Optimizers.create("grid", 1)).isInstanceOf(GridSampler.class);
        assertThat(Optimizers.create("sobol", 1)).isInstanceOf(SobolSampler.class);
        assertThat(Optimizers.create("tpe", 1)).isInstanceOf(TpeSampler.class);
        assertThat(Optimizers.create("gp", 1)).isInstanceOf(GpSampler.class);
        assertThat(Optimizers.NAMES).contains("ddpg");
    }

    @Test
    void ddpgWithoutModelCoreSaysWhatIsMissingAndUnknownNamesAreListed() {
        // This module's tests run without model-core, which provides the DDPG agent (model-core's tests show it found).
        assertThatThrownBy(() -> Optimizers.create("ddpg", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("optimizer 'ddpg' needs model-core (DJL) on the class path");
        assertThatThrownBy(() -> Optimizers.create("annealing", 1))
                .hasMessageContaining("unknown optimizer 'annealing'").hasMessageContaining("ddpg");
    }
}
