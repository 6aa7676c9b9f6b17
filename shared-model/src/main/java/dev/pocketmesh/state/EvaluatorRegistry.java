package dev.pocketmesh.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Which evaluators are running, per device profile: each evaluator renews a heartbeat key with a TTL (Redis
 * expires it, so one clock decides and a killed evaluator disappears within the TTL), and the orchestrator asks
 * before it accepts a job and while the job runs, so a job whose profile nobody serves fails with a reason
 * instead of waiting forever on {@code pocketmesh.evaluations.<profile>}.
 */
public final class EvaluatorRegistry {
    private final UnifiedJedis redis;

    public EvaluatorRegistry(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** Announces (or renews) an evaluator of {@code profile} for {@code ttl}; {@code settings} is shown to users. */
    public void heartbeat(String profile, String evaluatorId, String settings, Duration ttl) {
        redis.set(RedisKeys.evaluatorHeartbeat(profile, evaluatorId), settings, SetParams.setParams().px(ttl.toMillis()));
        redis.sadd(RedisKeys.evaluators(profile), evaluatorId);
        redis.sadd(RedisKeys.evaluatorProfiles(), profile);
    }

    /** Withdraws an evaluator at shutdown, so its absence is known at once rather than after its TTL. */
    public void withdraw(String profile, String evaluatorId) {
        redis.del(RedisKeys.evaluatorHeartbeat(profile, evaluatorId));
        redis.srem(RedisKeys.evaluators(profile), evaluatorId);
    }

    /** Ids of the evaluators of {@code profile} whose heartbeat is current; forgets the expired ones. */
    public List<String> alive(String profile) {
        List<String> alive = new ArrayList<>();
        for (String id : redis.smembers(RedisKeys.evaluators(profile))) {
            if (redis.exists(RedisKeys.evaluatorHeartbeat(profile, id))) {
                alive.add(id);
            } else {
                redis.srem(RedisKeys.evaluators(profile), id);
            }
        }
        alive.sort(null);
        return alive;
    }

    /** Every profile with at least one live evaluator, with their ids. */
    public Map<String, List<String>> running() {
        Map<String, List<String>> running = new TreeMap<>();
        for (String profile : redis.smembers(RedisKeys.evaluatorProfiles())) {
            List<String> alive = alive(profile);
            if (!alive.isEmpty()) {
                running.put(profile, alive);
            }
        }
        return running;
    }
}
