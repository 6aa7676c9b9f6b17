package dev.pocketmesh.state;

/** Every Redis key of the mesh, under the {@code pm:} prefix. */
public final class RedisKeys {
    private RedisKeys() {
    }

    /** Sorted set of job ids, scored by creation time (ms). */
    public static String jobs() {
        return "pm:jobs";
    }

    /** Hash: one job's record. */
    public static String job(String jobId) {
        return "pm:job:" + jobId;
    }

    /** List: the job's events, oldest first, as JSON. */
    public static String jobEvents(String jobId) {
        return "pm:job:" + jobId + ":events";
    }

    /** The job's epoch reports (list of TrialProgress JSON), for curves drawn after the fact. */
    public static String jobEpochs(String jobId) {
        return "pm:job:" + jobId + ":epochs";
    }

    /** Hash: extra device profile → the final model's result measured there (TrialResult JSON), first one kept. */
    public static String jobProfileMeasurements(String jobId) {
        return "pm:job:" + jobId + ":profiles";
    }

    /** Sorted set of the job's trial ids, scored by trial number (baseline -1, final last). */
    public static String jobTrials(String jobId) {
        return "pm:job:" + jobId + ":trials";
    }

    /** Set of the job's SEARCH trial ids that reached a terminal state: counts each trial once. */
    public static String jobFinishedTrials(String jobId) {
        return "pm:job:" + jobId + ":finished";
    }

    /** Hash: one trial's record. */
    public static String trial(String trialId) {
        return "pm:trial:" + trialId;
    }

    /** Set of trial ids in state RUNNING, which the reaper watches. */
    public static String runningTrials() {
        return "pm:trials:running";
    }

    /** String {@code workerId#attempt} with a TTL: the worker's claim on a trial, renewed by heartbeat. */
    /** Hash: job state name to the number of jobs in it. */
    public static String jobStateCounts() {
        return "pm:jobs:states";
    }

    public static String lease(String trialId) {
        return "pm:lease:" + trialId;
    }

    /** Marker that a consumer already applied a message. */
    public static String dedup(String consumer, String messageId) {
        return "pm:dedup:" + consumer + ":" + messageId;
    }

    /** Hash: a job's study (optimiser state lives in its observations). */
    public static String study(String jobId) {
        return "pm:study:" + jobId;
    }

    /** List: every observation the optimiser has been told, as JSON, in telling order. */
    public static String studyObservations(String jobId) {
        return "pm:study:" + jobId + ":observations";
    }

    /** Set: trial ids already told to the optimiser, so a redelivered result is told once. */
    public static String studyTold(String jobId) {
        return "pm:study:" + jobId + ":told";
    }

    /**
     * Sorted set: the search trials of a job that reached one early-stopping rung (after {@code epoch} epochs),
     * scored by their validation accuracy there.
     */
    public static String studyRung(String jobId, int epoch) {
        return "pm:study:" + jobId + ":rung:" + epoch;
    }

    /** Set of job ids whose study is still open: what a restarted hpo-service resumes. */
    public static String openStudies() {
        return "pm:studies:open";
    }

    /** Sorted set of ask/tell study ids (the REST API's own studies, not a job's), scored by creation time (ms). */
    public static String askTellStudies() {
        return "pm:asktell:studies";
    }

    /** Hash: an ask/tell study: its definition (JSON) and the last trial number handed out. */
    public static String askTellStudy(String studyId) {
        return "pm:asktell:" + studyId;
    }

    /** Hash: trial number → the ask/tell trial record (JSON). */
    public static String askTellTrials(String studyId) {
        return "pm:asktell:" + studyId + ":trials";
    }

    /** Set: trial numbers already told, so a trial is told once. */
    public static String askTellTold(String studyId) {
        return "pm:asktell:" + studyId + ":told";
    }

    /** Set: ids of the evaluators that announced themselves for a device profile (alive or not). */
    public static String evaluators(String profile) {
        return "pm:evaluators:" + profile;
    }

    /** String with a TTL: one evaluator's heartbeat (its settings, as JSON); gone when it stops renewing. */
    public static String evaluatorHeartbeat(String profile, String evaluatorId) {
        return "pm:evaluators:" + profile + ":" + evaluatorId;
    }

    /** Set: every device profile an evaluator ever announced (for "running profiles" in error messages). */
    public static String evaluatorProfiles() {
        return "pm:evaluator-profiles";
    }
}
