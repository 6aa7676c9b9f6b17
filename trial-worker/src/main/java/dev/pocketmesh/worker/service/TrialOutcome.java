package dev.pocketmesh.worker.service;

/**
 * What handling one proposal came to; every outcome but {@link #DEFERRED} lets the proposal be acked (once
 * what it published is on the broker).
 */
public enum TrialOutcome {
    /** Trained, marked TRAINED, evaluation requested. */
    EVALUATION_REQUESTED,
    /** A redelivered proposal of an attempt this mesh already trained: its evaluation request was sent again. */
    EVALUATION_RESENT,
    /** The learner failed; a FAILED result was published. */
    FAILED,
    /** Not ours to run: stale attempt, held by another worker, unknown trial, or its job has ended. */
    SKIPPED,
    /** The lease was lost while training (reaped, job ended); nothing was published. */
    ABANDONED,
    /** The worker is shutting down: left unacknowledged so that another worker gets the proposal. */
    DEFERRED
}
