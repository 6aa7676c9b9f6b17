package dev.pocketmesh.contracts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every Kafka topic of the mesh, in one place. Job-level topics are keyed by {@code jobId} (ordering per
 * job); {@code trials.proposed} and {@code evaluations.*} by {@code trialId}, so workers scale out up to
 * the partition count (proposals are placed by {@code dev.pocketmesh.messaging.TrialPartitioner}: one job's
 * consecutive trials on distinct partitions).
 */
public final class Topics {
    public static final String JOBS_SUBMIT = "pocketmesh.jobs.submit";
    public static final String JOBS_EVENTS = "pocketmesh.jobs.events";
    public static final String STUDIES = "pocketmesh.studies";
    public static final String TRIALS_PROPOSED = "pocketmesh.trials.proposed";
    public static final String TRIALS_PROGRESS = "pocketmesh.trials.progress";
    public static final String TRIALS_RESULTS = "pocketmesh.trials.results";
    /** Evaluations go to one topic per device profile: {@code pocketmesh.evaluations.<profile>}. */
    public static final String EVALUATIONS_PREFIX = "pocketmesh.evaluations.";
    public static final String DEFAULT_DEVICE_PROFILE = "cpu";
    /** Suffix of the dead-letter topic beside each input topic. */
    public static final String DLQ_SUFFIX = ".dlq";

    /**
     * Partitions of the topics that spread trials over workers ({@code trials.proposed}, {@code evaluations.*}), by
     * default: also the most workers (and evaluators) that can be busy at once, so the k8s autoscalers' maximum
     * replicas stay at or below it. 32 is divisible by 1, 2, 4, 8, 16 and 32 workers, which then own equal shares
     * of the partitions (and, with {@code TrialPartitioner}, of the trials). A mesh sets another count with
     * {@code pocketmesh.kafka.trial-partitions} when it creates the topics; an existing topic keeps its count.
     */
    public static final int TRIAL_PARTITIONS = 32;

    private Topics() {
    }

    public static String evaluations(String deviceProfile) {
        return EVALUATIONS_PREFIX + deviceProfile;
    }

    public static String deadLetter(String topic) {
        return topic + DLQ_SUFFIX;
    }

    /** The topics a fresh cluster needs, with their partition counts (dead-letter topics get 1). */
    public static Map<String, Integer> standardTopics() {
        return standardTopics(TRIAL_PARTITIONS);
    }

    /** The standard topics, with {@code trialPartitions} partitions for the topics that spread trials. */
    public static Map<String, Integer> standardTopics(int trialPartitions) {
        if (trialPartitions < 1) {
            throw new IllegalArgumentException("trial partitions must be at least 1, not " + trialPartitions);
        }
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(JOBS_SUBMIT, 3);
        topics.put(JOBS_EVENTS, 3);
        topics.put(STUDIES, 3);
        topics.put(TRIALS_PROPOSED, trialPartitions);
        topics.put(TRIALS_PROGRESS, 3);
        topics.put(TRIALS_RESULTS, 3);
        topics.put(evaluations(DEFAULT_DEVICE_PROFILE), trialPartitions);
        for (String input : new String[] {JOBS_SUBMIT, STUDIES, TRIALS_PROPOSED, TRIALS_PROGRESS, TRIALS_RESULTS,
                evaluations(DEFAULT_DEVICE_PROFILE)}) {
            topics.put(deadLetter(input), 1);
        }
        return topics;
    }
}
