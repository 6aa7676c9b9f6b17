package dev.pocketmesh.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.infra.EmbeddedRedis;
import dev.pocketmesh.infra.FreePorts;
import java.net.URI;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code pocketmesh.redis.url} carries Redis auth: the producer's client logs in with the URL's user and password (an
 * ACL user on a real redis-server), and a URL without them is refused by that server.
 */
class RedisUrlAuthTest {
    @Test
    void userAndPasswordInTheUrlAreUsed() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("pm-redis-auth"), FreePorts.find());
                JedisPooled admin = new JedisPooled(URI.create(redis.url()))) {
            admin.sendCommand(Protocol.Command.ACL, "SETUSER", "mesh", "on", ">s3cret", "~pm:*",
                    "+@all");
            admin.sendCommand(Protocol.Command.ACL, "SETUSER", "default", "off");
            URI plain = URI.create(redis.url());
            URI withAuth = URI.create("redis://mesh:s3cret@" + plain.getHost() + ":" + plain.getPort() + "/0");

            UnifiedJedis client = new MeshStateProducer().redis(withAuth.toString());
            try {
                client.set("pm:auth-check", "ok");
                assertThat(client.get("pm:auth-check")).isEqualTo("ok");
            } finally {
                client.close();
            }
            try (UnifiedJedis anonymous = new MeshStateProducer().redis(plain.toString())) {
                assertThatThrownBy(() -> anonymous.get("pm:auth-check")).hasMessageContaining("NOAUTH");
            }
        }
    }
}
