package dev.pocketmesh.state;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobEvent;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/** Jobs and their event history in Redis. State changes are compare-and-set, so replicas cannot race. */
public final class JobStore {
    /** Events kept per job for late subscribers (the SSE stream replays them). */
    public static final int MAX_EVENTS = 5_000;

    private static final String CREATE = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'jobId', ARGV[1], 'name', ARGV[2], 'state', ARGV[3], 'spec', ARGV[4],
              'message', ARGV[5], 'errors', ARGV[6], 'createdAt', ARGV[7], 'updatedAt', ARGV[7])
            redis.call('ZADD', KEYS[2], ARGV[7], ARGV[1])
            redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
            return 1
            """;

    // KEYS: job, state counts. ARGV: newState, message, now, allowed states...
    private static final String TRANSITION = """
            local state = redis.call('HGET', KEYS[1], 'state')
            if not state then return 0 end
            for i = 4, #ARGV do
              if state == ARGV[i] then
                redis.call('HSET', KEYS[1], 'state', ARGV[1], 'message', ARGV[2], 'updatedAt', ARGV[3])
                if state ~= ARGV[1] then
                  redis.call('HINCRBY', KEYS[2], state, -1)
                  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
                end
                return 1
              end
            end
            return 0
            """;

    private final UnifiedJedis redis;

    public JobStore(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** Stores a new job; false if a job with this id exists already (a resubmission changes nothing). */
    public boolean create(String jobId, String name, JobState state, JobSpec spec, String message,
            List<FieldError> errors) {
        Object created = redis.eval(CREATE,
                List.of(RedisKeys.job(jobId), RedisKeys.jobs(), RedisKeys.jobStateCounts()),
                List.of(jobId, name == null ? "" : name, state.name(), spec == null ? "" : Json.write(spec),
                        message == null ? "" : message, errors == null ? "" : Json.write(errors),
                        String.valueOf(System.currentTimeMillis())));
        return Long.valueOf(1).equals(created);
    }

    /** Moves the job to {@code to} if it is in one of {@code from}; false (and no change) otherwise. */
    public boolean transition(String jobId, Set<JobState> from, JobState to, String message) {
        List<String> args = new ArrayList<>(List.of(to.name(), message == null ? "" : message,
                String.valueOf(System.currentTimeMillis())));
        from.forEach(s -> args.add(s.name()));
        return Long.valueOf(1).equals(redis.eval(TRANSITION, List.of(RedisKeys.job(jobId),
                RedisKeys.jobStateCounts()), args));
    }

    public void setBestTrial(String jobId, String trialId) {
        redis.hset(RedisKeys.job(jobId), "bestTrialId", trialId);
    }

    public Optional<JobRecord> find(String jobId) {
        return Optional.ofNullable(JobRecord.fromHash(redis.hgetAll(RedisKeys.job(jobId))));
    }

    /** The newest jobs first. */
    public List<JobRecord> list(int limit) {
        List<JobRecord> jobs = new ArrayList<>();
        for (String id : redis.zrevrange(RedisKeys.jobs(), 0, limit - 1)) {
            find(id).ifPresent(jobs::add);
        }
        return jobs;
    }

    /**
     * The jobs now in one of {@code states} among the newest {@code limit}, newest first. The states are read in one
     * pipelined round trip and only the matching records whole, so a watcher that polls every second costs two
     * round trips, not one per stored job.
     */
    public List<JobRecord> listInStates(Set<JobState> states, int limit) {
        List<String> ids = redis.zrevrange(RedisKeys.jobs(), 0, limit - 1);
        List<Response<String>> stateOf = new ArrayList<>(ids.size());
        try (AbstractPipeline pipeline = redis.pipelined()) {
            ids.forEach(id -> stateOf.add(pipeline.hget(RedisKeys.job(id), "state")));
            pipeline.sync();
        }
        List<JobRecord> jobs = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String state = stateOf.get(i).get();
            if (state != null && states.stream().anyMatch(s -> s.name().equals(state))) {
                // Read again whole: the job may have moved on since its state was read.
                find(ids.get(i)).filter(job -> states.contains(job.state())).ifPresent(jobs::add);
            }
        }
        return jobs;
    }

    /**
     * How many jobs are in {@code state} now, across the mesh: a counter kept with every create and transition (jobs
     * stored before the counters existed are not in it).
     */
    public long countInState(JobState state) {
        String n = redis.hget(RedisKeys.jobStateCounts(), state.name());
        return n == null ? 0 : Long.parseLong(n);
    }

    public void appendEvent(JobEvent event) {
        String key = RedisKeys.jobEvents(event.jobId());
        redis.rpush(key, Json.write(event));
        redis.ltrim(key, -MAX_EVENTS, -1);
    }

    /**
     * Keeps a trial's epoch report. Job events relay them live only (they are many and short-lived); this list is what
     * a page opened later draws the per-trial accuracy curves from.
     */
    public void appendEpoch(TrialProgress progress) {
        String key = RedisKeys.jobEpochs(progress.jobId());
        redis.rpush(key, Json.write(progress));
        redis.ltrim(key, -MAX_EVENTS, -1);
    }

    /** The job's epoch reports in arrival order (the newest {@link #MAX_EVENTS}). */
    public List<TrialProgress> epochs(String jobId) {
        return redis.lrange(RedisKeys.jobEpochs(jobId), 0, -1).stream()
                .map(json -> Json.read(json, TrialProgress.class)).toList();
    }

    /**
     * Keeps the final model's result on one extra device profile ({@code result.deviceProfile()}, or {@code profile}
     * for a failure, which names none). The first result per profile counts, so a redelivery changes nothing;
     * false when one was kept already.
     */
    public boolean recordProfileMeasurement(String profile, TrialResult result) {
        return redis.hsetnx(RedisKeys.jobProfileMeasurements(result.jobId()), profile, Json.write(result)) == 1;
    }

    /** The final model's results on the job's extra device profiles, by profile (those measured so far). */
    public Map<String, TrialResult> profileMeasurements(String jobId) {
        Map<String, TrialResult> measured = new TreeMap<>();
        redis.hgetAll(RedisKeys.jobProfileMeasurements(jobId))
                .forEach((profile, json) -> measured.put(profile, Json.read(json, TrialResult.class)));
        return measured;
    }

    public List<JobEvent> events(String jobId) {
        return redis.lrange(RedisKeys.jobEvents(jobId), 0, -1).stream()
                .map(json -> Json.read(json, JobEvent.class)).toList();
    }
}
