package dev.pocketmesh.worker.service;

import java.util.Map;

/**
 * What a learner produced: files by name relative to the trial's artifact directory (e.g. {@code net.json},
 * weights), and a summary that goes into {@code manifest.json} beside them. The worker writes the manifest
 * itself, so a learner never needs to know the artifact layout or store.
 */
public record TrainedCandidate(Map<String, byte[]> files, Map<String, Object> summary) {

    public TrainedCandidate {
        files = Map.copyOf(files);
        summary = Map.copyOf(summary);
    }

    /** A candidate that is only its manifest (the simulated learner's). */
    public static TrainedCandidate manifestOnly(Map<String, Object> summary) {
        return new TrainedCandidate(Map.of(), summary);
    }
}
