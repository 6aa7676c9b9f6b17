package dev.pocketmesh.artifacts;

import java.net.URI;

/** Where models and reports live, addressed by URI; messages carry these URIs, never weights. */
public interface ArtifactStore {
    /** Stores {@code bytes} at a path relative to the store's root and returns the artifact's URI. */
    URI put(String relativePath, byte[] bytes);

    /** The URI the artifact at {@code relativePath} has, whether or not it exists yet. */
    URI uri(String relativePath);

    byte[] get(URI uri);

    boolean exists(URI uri);

    /**
     * The files under {@code relativeDir}, recursively, as paths relative to it ({@code /}-separated, sorted);
     * empty when the directory does not exist. Temporary files of unfinished writes are left out.
     */
    java.util.List<String> list(String relativeDir);

    /**
     * Where one attempt of a trial writes its candidate: {@code jobs/<job>/{baseline,trials/<trial>,final}/attempt-<n>/}.
     * One directory per attempt, so that a worker that lost its lease but has not noticed yet cannot overwrite
     * the files of the attempt that replaced it.
     */
    static String attemptDirectory(String jobId, String trialId, dev.pocketmesh.contracts.TrialKind kind, int attempt) {
        String trial = switch (kind) {
            case BASELINE -> "jobs/" + jobId + "/baseline";
            case FINAL -> "jobs/" + jobId + "/final";
            case SEARCH -> "jobs/" + jobId + "/trials/" + trialId;
        };
        return trial + "/attempt-" + attempt;
    }

    static String jobDirectory(String jobId) {
        return "jobs/" + jobId;
    }
}
