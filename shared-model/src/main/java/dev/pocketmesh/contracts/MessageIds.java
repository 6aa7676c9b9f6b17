package dev.pocketmesh.contracts;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Message and job identifiers. */
public final class MessageIds {
    private static final String ON_PROFILE = "-on-";
    /** The inverse of {@link #searchTrialId}: the job id, then {@code -t} and the trial number. */
    private static final Pattern SEARCH_TRIAL_ID = Pattern.compile("(.+)-t(\\d{4,9})");

    private MessageIds() {
    }

    public static String next() {
        return UUID.randomUUID().toString();
    }

    /** Short, URL- and file-name-safe job ids such as {@code job-3f9a1c2b7d}. */
    public static String newJobId() {
        return "job-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /**
     * {@code <hostname>-<pid>}: the default id a worker or evaluator stamps on leases and results, unique per
     * process even with several of them on one host.
     */
    public static String hostAndPid() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "host");
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    public static String baselineTrialId(String jobId) {
        return jobId + "-baseline";
    }

    public static String finalTrialId(String jobId) {
        return jobId + "-final";
    }

    /**
     * The measurement of the job's final model on an extra device profile ({@code evaluation.alsoMeasureOn}): a trial
     * id of its own, so its result never lands on the FINAL trial's record, which holds the primary profile's.
     */
    public static String finalOnProfileId(String jobId, String profile) {
        return finalTrialId(jobId) + ON_PROFILE + profile;
    }

    /** The extra profile a {@link #finalOnProfileId} of {@code jobId} names, or empty for every other trial id. */
    public static Optional<String> extraProfileOf(String jobId, String trialId) {
        String prefix = finalTrialId(jobId) + ON_PROFILE;
        return trialId != null && trialId.startsWith(prefix) && trialId.length() > prefix.length()
                ? Optional.of(trialId.substring(prefix.length())) : Optional.empty();
    }

    public static String searchTrialId(String jobId, int number) {
        return String.format("%s-t%04d", jobId, number);
    }

    /** The job and number a {@link #searchTrialId} names; empty for baseline, final and foreign ids. */
    public static Optional<SearchTrialRef> parseSearchTrialId(String trialId) {
        Matcher m = SEARCH_TRIAL_ID.matcher(trialId);
        return m.matches() ? Optional.of(new SearchTrialRef(m.group(1), Integer.parseInt(m.group(2))))
                : Optional.empty();
    }

    /** The parts of a search trial's id. */
    public record SearchTrialRef(String jobId, int number) {
    }
}
