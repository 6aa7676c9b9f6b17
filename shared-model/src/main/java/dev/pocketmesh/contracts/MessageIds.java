package dev.pocketmesh.contracts;

import java.util.UUID;

/** Message and job identifiers. */
public final class MessageIds {
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

    public static String searchTrialId(String jobId, int number) {
        return String.format("%s-t%04d", jobId, number);
    }
}
