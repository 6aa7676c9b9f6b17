package dev.pocketmesh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchMachineTest {
    @Test
    void namesTheVectorExtensionsTheCpuHasAndLacks() {
        assertThat(BenchMachine.simd(List.of("fpu", "fma", "avx", "avx2", "f16c")))
                .isEqualTo("SIMD avx2, lacks avx512f avx512_vnni avx_vnni amx_int8");
        assertThat(BenchMachine.simd(List.of("avx2", "avx512f", "avx512_vnni")))
                .isEqualTo("SIMD avx2 avx512f avx512_vnni, lacks avx_vnni amx_int8");
        assertThat(BenchMachine.simd(List.of("sse2"))).startsWith("SIMD none of");
    }

    @Test
    void theMachineLineCarriesTheCoreCount() {
        assertThat(BenchMachine.describe()).startsWith(Runtime.getRuntime().availableProcessors() + " cores (");
    }
}
