package dev.pocketmesh.contracts;

/** Trial lifecycle: PROPOSED → RUNNING (leased) → TRAINED → EVALUATED | FAILED | PRUNED (stopped early). */
public enum TrialState {
    PROPOSED, RUNNING, TRAINED, EVALUATED, FAILED, PRUNED;

    public boolean isTerminal() {
        return this == EVALUATED || this == FAILED || this == PRUNED;
    }
}
