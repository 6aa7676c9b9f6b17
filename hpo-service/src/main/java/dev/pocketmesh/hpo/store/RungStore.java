package dev.pocketmesh.hpo.store;

import dev.pocketmesh.state.RedisKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * The early-stopping rungs of each job's study in Redis: per rung, a sorted set of the trials that reached it,
 * scored by their accuracy there. Recording a trial and counting who beat it is one script, so replicas deciding
 * at the same time each see a consistent rung; a redelivered report rewrites the same score.
 */
@ApplicationScoped
public class RungStore {
    // KEYS: rung. ARGV: trialId, value. Returns {trials at the rung, trials strictly better than this one}.
    private static final String RECORD = """
            redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
            return {redis.call('ZCARD', KEYS[1]), redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf')}
            """;

    private final UnifiedJedis redis;

    public RungStore(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** Where a trial stands at one rung, once its value there is recorded. */
    public record Standing(long reached, long better) {
    }

    public Standing record(String jobId, int epoch, String trialId, double value) {
        List<?> reply = (List<?>) redis.eval(RECORD, List.of(RedisKeys.studyRung(jobId, epoch)),
                List.of(trialId, Double.toString(value)));
        return new Standing((Long) reply.get(0), (Long) reply.get(1));
    }
}
