package dev.pocketmesh.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void findsDistinctPortsAndTellsAFreePortFromATakenOne() throws Exception {
        int[] ports = FreePorts.find(5);
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(5);
        assertThat(FreePorts.isFree(ports[0])).isTrue();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[0]));
            assertThat(FreePorts.isFree(ports[0])).isFalse();
        }
    }
}
