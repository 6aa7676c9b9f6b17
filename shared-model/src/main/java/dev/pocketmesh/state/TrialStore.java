package dev.pocketmesh.state;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.UnifiedJedis;

/**
 * Trial records and leases in Redis. Every state change is one Lua script, so that workers, the reaper and
 * result handlers on any replica cannot interleave: a trial attempt is claimed by one worker, a dead
 * worker's attempt is re-proposed once, and a trial reaches one terminal state, counted once.
 */
public final class TrialStore {
    /** Trial numbers used in the job's trial index for the trials that are not part of the search. */
    public static final int BASELINE_NUMBER = 0;
    public static final int FINAL_NUMBER = 1_000_000;

    public enum ClaimOutcome {
        /** This worker now holds the attempt's lease. */
        CLAIMED,
        /** The trial has moved on to another attempt (re-proposed) or is already finished. */
        STALE,
        /** Another worker holds it. */
        HELD_ELSEWHERE,
        /** No such trial. */
        UNKNOWN
    }

    public enum ReapOutcome {
        /** The lease is alive, or the trial is not running. */
        ALIVE,
        /** The lease expired; the trial is PROPOSED again with the next attempt number. */
        REPROPOSED,
        /** The lease expired on the last allowed attempt; the trial is FAILED. */
        FAILED
    }

    public enum CompleteOutcome {
        /** This result moved the trial to its terminal state. */
        APPLIED,
        /** The trial was already terminal: a redelivery or a second report. */
        DUPLICATE,
        /** The result is for an attempt the trial no longer expects. */
        STALE,
        UNKNOWN
    }

    private static final String PROPOSE = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'trialId', ARGV[1], 'jobId', ARGV[2], 'number', ARGV[3], 'kind', ARGV[4],
              'state', 'PROPOSED', 'attempt', ARGV[5], 'proposal', ARGV[6], 'proposedAt', ARGV[7])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
            return 1
            """;

    // KEYS: trial, lease, running. ARGV: attempt, workerId, leaseMs, now
    private static final String CLAIM = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 'UNKNOWN' end
            local state = redis.call('HGET', KEYS[1], 'state')
            if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 'STALE' end
            if state ~= 'PROPOSED' then
              if state == 'RUNNING' then return 'HELD_ELSEWHERE' end
              return 'STALE'
            end
            local owner = ARGV[2] .. '#' .. ARGV[1]
            if not redis.call('SET', KEYS[2], owner, 'NX', 'PX', ARGV[3]) then return 'HELD_ELSEWHERE' end
            local attempts = redis.call('HGET', KEYS[1], 'attempts')
            if attempts and attempts ~= '' then attempts = attempts .. ',' .. owner else attempts = owner end
            redis.call('HSET', KEYS[1], 'state', 'RUNNING', 'workerId', ARGV[2], 'attempts', attempts,
              'startedAt', ARGV[4])
            redis.call('SADD', KEYS[3], redis.call('HGET', KEYS[1], 'trialId'))
            return 'CLAIMED'
            """;

    // KEYS: lease. ARGV: owner, leaseMs
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 0
            """;

    // KEYS: trial, lease, running. ARGV: attempt, owner, artifactUri
    private static final String TRAINED = """
            if redis.call('HGET', KEYS[1], 'state') ~= 'RUNNING' then return 0 end
            if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 0 end
            if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
            redis.call('HSET', KEYS[1], 'state', 'TRAINED', 'artifactUri', ARGV[3])
            redis.call('DEL', KEYS[2])
            redis.call('SREM', KEYS[3], redis.call('HGET', KEYS[1], 'trialId'))
            return 1
            """;

    // KEYS: trial, lease, running, finished. ARGV: maxAttempts, now. Returns {outcome, attempt}.
    private static final String REAP = """
            if redis.call('HGET', KEYS[1], 'state') ~= 'RUNNING' then
              redis.call('SREM', KEYS[3], redis.call('HGET', KEYS[1], 'trialId') or '')
              return {'ALIVE', '0'}
            end
            if redis.call('EXISTS', KEYS[2]) == 1 then return {'ALIVE', '0'} end
            local attempt = tonumber(redis.call('HGET', KEYS[1], 'attempt'))
            redis.call('SREM', KEYS[3], redis.call('HGET', KEYS[1], 'trialId'))
            local handbacks = 0
            for _ in string.gmatch(redis.call('HGET', KEYS[1], 'handedBack') or '', '[^,]+') do
              handbacks = handbacks + 1
            end
            if attempt - handbacks >= tonumber(ARGV[1]) then
              redis.call('HSET', KEYS[1], 'state', 'FAILED', 'finishedAt', ARGV[2], 'error',
                'worker lost on each of ' .. attempt .. ' attempts (lease expired)')
              if redis.call('HGET', KEYS[1], 'kind') == 'SEARCH' then
                redis.call('SADD', KEYS[4], redis.call('HGET', KEYS[1], 'trialId'))
              end
              return {'FAILED', tostring(attempt)}
            end
            redis.call('HSET', KEYS[1], 'state', 'PROPOSED', 'attempt', tostring(attempt + 1), 'workerId', '')
            return {'REPROPOSED', tostring(attempt + 1)}
            """;

    // KEYS: trial, lease. ARGV: attempt, owner
    private static final String HAND_BACK = """
            if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
            if redis.call('HGET', KEYS[1], 'state') ~= 'RUNNING' then return 0 end
            if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 0 end
            redis.call('DEL', KEYS[2])
            local handed = redis.call('HGET', KEYS[1], 'handedBack')
            if handed and handed ~= '' then handed = handed .. ',' .. ARGV[2] else handed = ARGV[2] end
            redis.call('HSET', KEYS[1], 'handedBack', handed)
            return 1
            """;

    // KEYS: trial, lease, running, finished. ARGV: attempt, state, metrics, artifactUri, error, now
    private static final String COMPLETE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 'UNKNOWN' end
            local state = redis.call('HGET', KEYS[1], 'state')
            local trialId = redis.call('HGET', KEYS[1], 'trialId')
            if state == 'EVALUATED' or state == 'FAILED' or state == 'PRUNED' then return 'DUPLICATE' end
            if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then return 'STALE' end
            redis.call('HSET', KEYS[1], 'state', ARGV[2], 'metrics', ARGV[3], 'finishedAt', ARGV[6])
            if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'artifactUri', ARGV[4]) end
            if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[5]) end
            local owner = redis.call('GET', KEYS[2])
            if owner and string.sub(owner, -string.len('#' .. ARGV[1])) == '#' .. ARGV[1] then
              redis.call('DEL', KEYS[2])
            end
            redis.call('SREM', KEYS[3], trialId)
            if redis.call('HGET', KEYS[1], 'kind') == 'SEARCH' then redis.call('SADD', KEYS[4], trialId) end
            return 'APPLIED'
            """;

    private final UnifiedJedis redis;

    public TrialStore(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** Records a newly proposed trial; false if it already exists (a repeated proposal changes nothing). */
    public boolean propose(TrialProposal proposal) {
        Object created = redis.eval(PROPOSE,
                List.of(RedisKeys.trial(proposal.trialId()), RedisKeys.jobTrials(proposal.jobId())),
                List.of(proposal.trialId(), proposal.jobId(), String.valueOf(indexNumber(proposal)),
                        proposal.kind().name(), String.valueOf(proposal.attempt()), Json.write(proposal),
                        String.valueOf(System.currentTimeMillis())));
        return Long.valueOf(1).equals(created);
    }

    public ClaimOutcome claim(String trialId, int attempt, String workerId, long leaseMs) {
        Object reply = redis.eval(CLAIM,
                List.of(RedisKeys.trial(trialId), RedisKeys.lease(trialId), RedisKeys.runningTrials()),
                List.of(String.valueOf(attempt), workerId, String.valueOf(leaseMs),
                        String.valueOf(System.currentTimeMillis())));
        return ClaimOutcome.valueOf((String) reply);
    }

    /** Heartbeat: extends the lease if this worker still holds this attempt; false means it lost the trial. */
    public boolean renewLease(String trialId, int attempt, String workerId, long leaseMs) {
        Object reply = redis.eval(RENEW, List.of(RedisKeys.lease(trialId)),
                List.of(owner(workerId, attempt), String.valueOf(leaseMs)));
        return Long.valueOf(1).equals(reply);
    }

    /** The worker finished training this attempt and released its lease; the evaluator takes it from here. */
    public boolean markTrained(String trialId, int attempt, String workerId, String artifactUri) {
        Object reply = redis.eval(TRAINED,
                List.of(RedisKeys.trial(trialId), RedisKeys.lease(trialId), RedisKeys.runningTrials()),
                List.of(String.valueOf(attempt), owner(workerId, attempt), artifactUri));
        return Long.valueOf(1).equals(reply);
    }

    /**
     * A worker that stops (scale-down, SIGTERM) gives its running attempt back: the lease ends now instead of
     * expiring, so the reaper re-proposes the trial on its next round. The attempt is recorded as handed back and
     * does not count against the retry limit (the worker did not fail it). False if the attempt was not this
     * worker's any more.
     */
    public boolean handBack(String trialId, int attempt, String workerId) {
        Object reply = redis.eval(HAND_BACK, List.of(RedisKeys.trial(trialId), RedisKeys.lease(trialId)),
                List.of(String.valueOf(attempt), owner(workerId, attempt)));
        return Long.valueOf(1).equals(reply);
    }

    /** The attempts handed back by their workers ("workerId#attempt"), oldest first. */
    public List<String> handedBack(String trialId) {
        String handed = redis.hget(RedisKeys.trial(trialId), "handedBack");
        return handed == null || handed.isEmpty() ? List.of() : List.of(handed.split(","));
    }

    /** Reaper step for one running trial: re-propose it, or fail it, if its worker stopped renewing the lease. */
    public Reaped reap(String trialId, int maxAttempts) {
        String jobId = redis.hget(RedisKeys.trial(trialId), "jobId");
        if (jobId == null) {
            redis.srem(RedisKeys.runningTrials(), trialId);
            return new Reaped(ReapOutcome.ALIVE, 0);
        }
        @SuppressWarnings("unchecked")
        List<Object> reply = (List<Object>) redis.eval(REAP,
                List.of(RedisKeys.trial(trialId), RedisKeys.lease(trialId), RedisKeys.runningTrials(),
                        RedisKeys.jobFinishedTrials(jobId)),
                List.of(String.valueOf(maxAttempts), String.valueOf(System.currentTimeMillis())));
        return new Reaped(ReapOutcome.valueOf((String) reply.get(0)), Integer.parseInt((String) reply.get(1)));
    }

    public record Reaped(ReapOutcome outcome, int attempt) {
    }

    /** Applies a trial's outcome once: the first result for the current attempt wins, all others change nothing. */
    public CompleteOutcome complete(TrialResult result) {
        Object reply = redis.eval(COMPLETE,
                List.of(RedisKeys.trial(result.trialId()), RedisKeys.lease(result.trialId()),
                        RedisKeys.runningTrials(), RedisKeys.jobFinishedTrials(result.jobId())),
                List.of(String.valueOf(result.attempt()), result.state().name(),
                        result.metrics() == null ? "{}" : Json.write(result.metrics()),
                        result.artifactUri() == null ? "" : result.artifactUri(),
                        result.error() == null ? "" : result.error(), String.valueOf(System.currentTimeMillis())));
        return CompleteOutcome.valueOf((String) reply);
    }

    public Optional<TrialRecord> find(String trialId) {
        return Optional.ofNullable(TrialRecord.fromHash(redis.hgetAll(RedisKeys.trial(trialId))));
    }

    /** The job's trials in trial-number order (baseline first, final last). */
    public List<TrialRecord> listForJob(String jobId) {
        List<TrialRecord> trials = new ArrayList<>();
        for (String trialId : redis.zrange(RedisKeys.jobTrials(jobId), 0, -1)) {
            find(trialId).ifPresent(trials::add);
        }
        return trials;
    }

    public Set<String> runningTrialIds() {
        return redis.smembers(RedisKeys.runningTrials());
    }

    /** How many of the job's search trials reached a terminal state. */
    public long finishedSearchTrials(String jobId) {
        return redis.scard(RedisKeys.jobFinishedTrials(jobId));
    }

    private static int indexNumber(TrialProposal proposal) {
        return proposal.kind() == TrialKind.BASELINE ? BASELINE_NUMBER
                : proposal.kind() == TrialKind.FINAL ? FINAL_NUMBER : proposal.trialNumber();
    }

    private static String owner(String workerId, int attempt) {
        return workerId + "#" + attempt;
    }
}
