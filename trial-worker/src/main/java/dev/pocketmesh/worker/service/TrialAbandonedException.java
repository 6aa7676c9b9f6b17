package dev.pocketmesh.worker.service;

/** The worker lost the trial (lease taken by the reaper, or shutdown) and stops without publishing anything. */
public class TrialAbandonedException extends Exception {
    public TrialAbandonedException(String reason) {
        super(reason, null, false, false);
    }
}
