package dev.pocketmesh.contracts;

/** BASELINE measures the uncompressed model, SEARCH trials are the study's, FINAL retrains the best one. */
public enum TrialKind {
    BASELINE, SEARCH, FINAL
}
