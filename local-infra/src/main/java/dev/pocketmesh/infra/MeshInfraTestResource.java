package dev.pocketmesh.infra;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource backed by real Kafka and Redis processes, shared by all test classes of
 * the JVM ({@link SharedInfra}): {@code @QuarkusTestResource(MeshInfraTestResource.class)} or
 * {@code @WithTestResource(MeshInfraTestResource.class)}.
 *
 * <p>Test code that needs its own producers, consumers or Jedis uses {@link #kafkaBootstrap()}
 * and {@link #redisUrl()}.
 */
public class MeshInfraTestResource implements QuarkusTestResourceLifecycleManager {

    /** Plain Kafka clients and the Quarkus Kafka extension read this key. */
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    /** SmallRye Reactive Messaging's Kafka connector default. */
    public static final String MESSAGING_KAFKA_BOOTSTRAP_SERVERS =
            "mp.messaging.connector.smallrye-kafka.bootstrap.servers";
    /** PocketMesh's own Redis location. */
    public static final String REDIS_URL = "pocketmesh.redis.url";

    @Override
    public Map<String, String> start() {
        SharedInfra infra = SharedInfra.get();
        return Map.of(
                KAFKA_BOOTSTRAP_SERVERS, infra.kafkaBootstrap(),
                MESSAGING_KAFKA_BOOTSTRAP_SERVERS, infra.kafkaBootstrap(),
                REDIS_URL, infra.redisUrl());
    }

    @Override
    public void stop() {
        // Deliberately nothing: the servers outlive each Quarkus application started in this JVM
        // and are stopped by SharedInfra's shutdown hook when the JVM exits.
    }

    /** Bootstrap servers of the JVM's shared Kafka (starts it if needed). */
    public static String kafkaBootstrap() {
        return SharedInfra.get().kafkaBootstrap();
    }

    /** {@code redis://...} of the JVM's shared Redis (starts it if needed). */
    public static String redisUrl() {
        return SharedInfra.get().redisUrl();
    }
}
