package dev.pocketmesh.worker.service;

/** A learner's own failure (bad configuration, diverged training...): the trial is reported FAILED. */
public class LearnerException extends Exception {
    public LearnerException(String message) {
        super(message);
    }

    public LearnerException(String message, Throwable cause) {
        super(message, cause);
    }
}
