package dev.pocketmesh.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;

class MeshInfraTestResourceTest {

    @Test
    void startReturnsTheJvmWideSharedServers() throws Exception {
        Map<String, String> config = new MeshInfraTestResource().start();
        // A second instance (another test class / Quarkus app) gets the very same servers.
        assertThat(new MeshInfraTestResource().start()).isEqualTo(config);

        String bootstrap = config.get("kafka.bootstrap.servers");
        assertThat(config).containsEntry("mp.messaging.connector.smallrye-kafka.bootstrap.servers", bootstrap)
                .containsEntry("pocketmesh.redis.url", SharedInfra.get().redisUrl());
        assertThat(MeshInfraTestResource.kafkaBootstrap()).isEqualTo(bootstrap).isEqualTo(SharedInfra.get().kafkaBootstrap());
        assertThat(System.getProperty(SharedInfra.KAFKA_BOOTSTRAP_PROPERTY)).isEqualTo(bootstrap);

        try (Jedis jedis = new Jedis(URI.create(MeshInfraTestResource.redisUrl()))) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        KafkaTestSupport.produce(bootstrap, "mesh-resource-test", "k", "v");
        assertThat(KafkaTestSupport.consumeValues(bootstrap, "mesh-resource-test", 1, Duration.ofSeconds(30)))
                .containsExactly("v");
    }
}
