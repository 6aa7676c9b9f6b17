package dev.pocketmesh.state;

import java.time.Duration;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/** Remembers which messages a consumer has applied, so that a redelivered message is applied once. */
public final class Deduplicator {
    private final UnifiedJedis redis;
    private final Duration memory;

    public Deduplicator(UnifiedJedis redis, Duration memory) {
        this.redis = redis;
        this.memory = memory;
    }

    /** True the first time {@code consumer} sees {@code messageId}; false for every repeat. */
    public boolean firstTime(String consumer, String messageId) {
        String reply = redis.set(RedisKeys.dedup(consumer, messageId), "1",
                SetParams.setParams().nx().ex(memory.toSeconds()));
        return "OK".equals(reply);
    }

    /** Forgets a message, so that it can be applied again (when applying it failed half-way). */
    public void forget(String consumer, String messageId) {
        redis.del(RedisKeys.dedup(consumer, messageId));
    }
}
