package dev.pocketmesh.contracts;

/** Job lifecycle: SUBMITTED → REJECTED | BASELINE → SEARCHING → FINALIZING → COMPLETED | FAILED | CANCELLED. */
public enum JobState {
    SUBMITTED, REJECTED, BASELINE, SEARCHING, FINALIZING, COMPLETED, FAILED, CANCELLED;

    public boolean isTerminal() {
        return this == REJECTED || this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
