package dev.pocketmesh.hpo.store;

import dev.pocketmesh.hpo.service.AskTellStudy;
import dev.pocketmesh.hpo.service.AskTellTrial;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.state.RedisKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Ask/tell studies in Redis, the only place their state lives (no cache: a restarted service, or another replica,
 * sees exactly what this one wrote). Keys ({@link RedisKeys}): the study hash (definition JSON + the last trial
 * number handed out), a hash of trial records by number, and a set of told numbers that makes "tell once" atomic.
 */
@ApplicationScoped
public class AskTellStore {
    private static final String DEFINITION = "definition";
    private static final String LAST_NUMBER = "lastNumber";

    // KEYS: study, index. ARGV: id, definition, createdAt. Returns 0 if the id is taken.
    private static final String CREATE = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'definition', ARGV[2], 'lastNumber', '0')
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
            return 1
            """;

    // KEYS: study. ARGV: n. Hands out n fresh numbers at once (HINCRBY is atomic across replicas); returns the last.
    private static final String RESERVE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
            return redis.call('HINCRBY', KEYS[1], 'lastNumber', ARGV[1])
            """;

    // KEYS: trials, told. ARGV: number, told record. 1 told now, 0 already told, -1 no such trial.
    private static final String TELL = """
            if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
            if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """;

    private final UnifiedJedis redis;

    public AskTellStore(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** Stores a new study; false if its id is taken. */
    public boolean create(AskTellStudy study) {
        Object created = redis.eval(CREATE, List.of(RedisKeys.askTellStudy(study.id()), RedisKeys.askTellStudies()),
                List.of(study.id(), Json.write(study), String.valueOf(study.createdAt())));
        return Long.valueOf(1).equals(created);
    }

    public Optional<AskTellStudy> find(String id) {
        String json = redis.hget(RedisKeys.askTellStudy(id), DEFINITION);
        return json == null ? Optional.empty() : Optional.of(Json.read(json, AskTellStudy.class));
    }

    /** The first of {@code n} consecutive trial numbers reserved for the caller alone, or -1 if there is no study. */
    public int reserve(String id, int n) {
        long last = (Long) redis.eval(RESERVE, List.of(RedisKeys.askTellStudy(id)), List.of(String.valueOf(n)));
        return last < 0 ? -1 : (int) (last - n + 1);
    }

    /** Stores a freshly asked trial (state RUNNING). */
    public void putRunning(String id, AskTellTrial trial) {
        redis.hset(RedisKeys.askTellTrials(id), String.valueOf(trial.number()), Json.write(trial));
    }

    public Optional<AskTellTrial> trial(String id, int number) {
        String json = redis.hget(RedisKeys.askTellTrials(id), String.valueOf(number));
        return json == null ? Optional.empty() : Optional.of(Json.read(json, AskTellTrial.class));
    }

    public enum TellOutcome { TOLD, ALREADY_TOLD, UNKNOWN_TRIAL }

    /** Replaces a running trial's record by its told one, once per trial number. */
    public TellOutcome tell(String id, AskTellTrial told) {
        Object reply = redis.eval(TELL, List.of(RedisKeys.askTellTrials(id), RedisKeys.askTellTold(id)),
                List.of(String.valueOf(told.number()), Json.write(told)));
        long r = (Long) reply;
        return r == 1 ? TellOutcome.TOLD : r == 0 ? TellOutcome.ALREADY_TOLD : TellOutcome.UNKNOWN_TRIAL;
    }

    /** Every trial of the study, in number order. */
    public List<AskTellTrial> trials(String id) {
        Map<String, String> all = redis.hgetAll(RedisKeys.askTellTrials(id));
        List<AskTellTrial> trials = new ArrayList<>(all.size());
        for (String json : all.values()) {
            trials.add(Json.read(json, AskTellTrial.class));
        }
        trials.sort(Comparator.comparingInt(AskTellTrial::number));
        return trials;
    }

    public long count() {
        return redis.zcard(RedisKeys.askTellStudies());
    }
}
