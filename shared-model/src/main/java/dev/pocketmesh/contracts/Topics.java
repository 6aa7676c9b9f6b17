package dev.pocketmesh.contracts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every Kafka topic of the mesh, in one place. Job-level topics are keyed by {@code jobId} (ordering per
 * job); {@code trials.proposed} and {@code evaluations.*} by {@code trialId}, so workers scale out up to
 * the partition count.
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

    /** Partitions of the topics that spread trials over workers; also the useful upper bound of workers. */
    public static final int TRIAL_PARTITIONS = 12;

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
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(JOBS_SUBMIT, 3);
        topics.put(JOBS_EVENTS, 3);
        topics.put(STUDIES, 3);
        topics.put(TRIALS_PROPOSED, TRIAL_PARTITIONS);
        topics.put(TRIALS_PROGRESS, 3);
        topics.put(TRIALS_RESULTS, 3);
        topics.put(evaluations(DEFAULT_DEVICE_PROFILE), TRIAL_PARTITIONS);
        for (String input : new String[] {JOBS_SUBMIT, STUDIES, TRIALS_PROPOSED, TRIALS_PROGRESS, TRIALS_RESULTS,
                evaluations(DEFAULT_DEVICE_PROFILE)}) {
            topics.put(deadLetter(input), 1);
        }
        return topics;
    }
}
