package dev.pocketmesh.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import redis.clients.jedis.UnifiedJedis;

/**
 * Every service is ready only while Redis answers: without it no job, trial, lease or study can be read or
 * changed. Part of {@code /q/health/ready} in each service that uses this library.
 */
@Readiness
@ApplicationScoped
public class RedisReadinessCheck implements HealthCheck {
    private final UnifiedJedis redis;

    public RedisReadinessCheck(UnifiedJedis redis) {
        this.redis = redis;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            return HealthCheckResponse.named("redis").status("PONG".equalsIgnoreCase(redis.ping())).build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("redis").down().withData("error", String.valueOf(e.getMessage()))
                    .build();
        }
    }
}
