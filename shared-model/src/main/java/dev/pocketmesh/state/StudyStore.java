package dev.pocketmesh.state;

import dev.pocketmesh.json.Json;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.UnifiedJedis;

/** Studies in Redis: creation, atomic hand-out of trial numbers within budget and parallelism, observations. */
public final class StudyStore {
    private static final String CREATE = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'jobId', ARGV[1], 'state', 'OPEN', 'optimizer', ARGV[2], 'seed', ARGV[3],
              'budget', ARGV[4], 'parallelism', ARGV[5], 'proposed', '0', 'space', ARGV[6], 'spec', ARGV[7],
              'createdAt', ARGV[8])
            redis.call('SADD', KEYS[2], ARGV[1])
            return 1
            """;

    // Hands out the next trial numbers: as many as keep (proposed - told) <= parallelism and proposed <= budget.
    // KEYS: study, told
    private static final String RESERVE = """
            if redis.call('HGET', KEYS[1], 'state') ~= 'OPEN' then return {} end
            local proposed = tonumber(redis.call('HGET', KEYS[1], 'proposed'))
            local budget = tonumber(redis.call('HGET', KEYS[1], 'budget'))
            local parallelism = tonumber(redis.call('HGET', KEYS[1], 'parallelism'))
            local inFlight = proposed - redis.call('SCARD', KEYS[2])
            local n = math.min(budget - proposed, parallelism - inFlight)
            if n <= 0 then return {} end
            redis.call('HSET', KEYS[1], 'proposed', tostring(proposed + n))
            local numbers = {}
            for i = 1, n do numbers[i] = proposed + i end
            return numbers
            """;

    // KEYS: study, told, observations, open. ARGV: trialId, observation. Returns {told now?, study completed?}
    private static final String TELL = """
            if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return {0, 0} end
            redis.call('RPUSH', KEYS[3], ARGV[2])
            local budget = tonumber(redis.call('HGET', KEYS[1], 'budget'))
            if redis.call('HGET', KEYS[1], 'state') == 'OPEN' and redis.call('SCARD', KEYS[2]) >= budget then
              redis.call('HSET', KEYS[1], 'state', 'COMPLETED')
              redis.call('SREM', KEYS[4], redis.call('HGET', KEYS[1], 'jobId'))
              return {1, 1}
            end
            return {1, 0}
            """;

    private final UnifiedJedis redis;

    public StudyStore(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** Opens a study; false if it exists already (a repeated START changes nothing). */
    public boolean create(String jobId, String optimizer, long seed, int budget, int parallelism, SearchSpace space,
            JobSpec spec) {
        Object created = redis.eval(CREATE, List.of(RedisKeys.study(jobId), RedisKeys.openStudies()),
                List.of(jobId, optimizer, String.valueOf(seed), String.valueOf(budget), String.valueOf(parallelism),
                        Json.write(space), Json.write(spec), String.valueOf(System.currentTimeMillis())));
        return Long.valueOf(1).equals(created);
    }

    /** Trial numbers the caller must now propose (possibly none). Numbers are handed out once, ever. */
    public List<Integer> reserveTrialNumbers(String jobId) {
        @SuppressWarnings("unchecked")
        List<Object> reply = (List<Object>) redis.eval(RESERVE,
                List.of(RedisKeys.study(jobId), RedisKeys.studyTold(jobId)), List.of());
        List<Integer> numbers = new ArrayList<>();
        for (Object o : reply) {
            numbers.add(((Long) o).intValue());
        }
        return numbers;
    }

    public record Told(boolean applied, boolean studyCompleted) {
    }

    /** Records an observation once per trial; says whether this call told it and whether the budget is spent. */
    public Told tell(String jobId, Observation observation) {
        @SuppressWarnings("unchecked")
        List<Object> reply = (List<Object>) redis.eval(TELL,
                List.of(RedisKeys.study(jobId), RedisKeys.studyTold(jobId), RedisKeys.studyObservations(jobId),
                        RedisKeys.openStudies()),
                List.of(observation.trialId(), Json.write(observation)));
        return new Told(Long.valueOf(1).equals(reply.get(0)), Long.valueOf(1).equals(reply.get(1)));
    }

    /** Closes the study to new proposals; false if there is no such study. */
    public boolean cancel(String jobId) {
        redis.srem(RedisKeys.openStudies(), jobId);
        if (!redis.exists(RedisKeys.study(jobId))) {
            return false;
        }
        redis.hset(RedisKeys.study(jobId), "state", StudyRecord.State.CANCELLED.name());
        return true;
    }

    public Optional<StudyRecord> find(String jobId) {
        return Optional.ofNullable(StudyRecord.fromHash(redis.hgetAll(RedisKeys.study(jobId)),
                redis.scard(RedisKeys.studyTold(jobId))));
    }

    public List<Observation> observations(String jobId) {
        return redis.lrange(RedisKeys.studyObservations(jobId), 0, -1).stream()
                .map(json -> Json.read(json, Observation.class)).toList();
    }

    public Set<String> openStudies() {
        return redis.smembers(RedisKeys.openStudies());
    }
}
