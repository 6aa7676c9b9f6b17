package dev.pocketmesh.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Evaluator heartbeats against a real Redis: alive while renewed, gone after the TTL or when withdrawn. */
class EvaluatorRegistryTest {
    private final EvaluatorRegistry registry = new EvaluatorRegistry(RealRedis.client());
    private final String profile = "test-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void anEvaluatorIsAliveUntilItsHeartbeatExpires() throws InterruptedException {
        assertThat(registry.alive(profile)).isEmpty();
        registry.heartbeat(profile, "e1", "{}", Duration.ofMillis(700));
        registry.heartbeat(profile, "e2", "{}", Duration.ofSeconds(30));
        assertThat(registry.alive(profile)).containsExactly("e1", "e2");
        assertThat(registry.running()).containsKey(profile);

        for (int i = 0; i < 50 && registry.alive(profile).size() > 1; i++) {
            Thread.sleep(100);
        }
        assertThat(registry.alive(profile)).containsExactly("e2");

        registry.withdraw(profile, "e2");
        assertThat(registry.alive(profile)).isEmpty();
        assertThat(registry.running()).doesNotContainKey(profile);
    }
}
