package dev.pocketmesh.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

class EmbeddedRedisTest {

    @TempDir
    Path workDir;

    @Test
    void setGetAndAofSurvivesRestart() {
        int port = FreePorts.find();
        try (EmbeddedRedis redis = EmbeddedRedis.start(workDir, port)) {
            System.out.println("Redis binary: " + redis.executable());
            assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + port);
            try (Jedis jedis = new Jedis(URI.create(redis.url()))) {
                assertThat(jedis.set("greeting", "hello")).isEqualTo("OK");
                assertThat(jedis.get("greeting")).isEqualTo("hello");
            }
        }

        try (EmbeddedRedis redis = EmbeddedRedis.start(workDir, port)) {
            try (Jedis jedis = new Jedis(URI.create(redis.url()))) {
                assertThat(jedis.get("greeting")).as("value replayed from the AOF").isEqualTo("hello");
            }
            redis.close();
            assertThat(redis.isAlive()).isFalse();
        }
    }
}
