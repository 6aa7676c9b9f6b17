package dev.pocketmesh.state;

import dev.pocketmesh.infra.EmbeddedRedis;
import dev.pocketmesh.infra.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import redis.clients.jedis.JedisPooled;

/** A real redis-server for this module's store tests (Kafka is not needed here), one per test JVM. */
final class RealRedis {
    private static JedisPooled client;

    private RealRedis() {
    }

    static synchronized JedisPooled client() {
        if (client == null) {
            try {
                EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("pm-redis-test"), FreePorts.find());
                client = new JedisPooled(java.net.URI.create(redis.url()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return client;
    }
}
