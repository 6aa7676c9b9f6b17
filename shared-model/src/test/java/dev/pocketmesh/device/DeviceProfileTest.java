package dev.pocketmesh.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceProfileTest {
    @Test
    void theNamedProfilesCarryTheirSettings() {
        assertThat(DeviceProfile.names()).containsExactly("cpu", "cpu-x86-1t", "cpu-x86-4t", "arm64", "cuda");
        DeviceProfile fourThreads = DeviceProfile.find("cpu-x86-4t").orElseThrow();
        assertThat(fourThreads.threads()).isEqualTo(4);
        assertThat(fourThreads.batch()).isEqualTo(8);
        assertThat(DeviceProfile.find("cuda").orElseThrow().provider()).isEqualTo(DeviceProfile.CUDA);
        assertThat(DeviceProfile.find("nope")).isEmpty();
        assertThat(DeviceProfile.find(DeviceProfile.DEFAULT)).isPresent();
    }

    @Test
    void aProfileRefusesAnotherArchitecture() {
        DeviceProfile x86 = DeviceProfile.find("cpu-x86-1t").orElseThrow();
        assertThat(x86.mismatch("amd64")).isEmpty();
        assertThat(x86.mismatch("x86_64")).isEmpty();
        assertThat(x86.mismatch("aarch64")).get().asString().contains("cpu-x86-1t").contains("aarch64");
        assertThat(DeviceProfile.find("arm64").orElseThrow().mismatch("amd64")).isPresent();
        assertThat(DeviceProfile.find("cpu").orElseThrow().mismatch("riscv64")).isEmpty();
    }
}
