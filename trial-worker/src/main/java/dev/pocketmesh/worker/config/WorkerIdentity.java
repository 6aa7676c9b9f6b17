package dev.pocketmesh.worker.config;

import jakarta.enterprise.context.ApplicationScoped;
import dev.pocketmesh.contracts.MessageIds;

/** This process's worker id, as recorded in leases, progress messages and artifact manifests. */
@ApplicationScoped
public class WorkerIdentity {
    private final String id;

    public WorkerIdentity(WorkerConfig config) {
        this.id = config.id().filter(s -> !s.isBlank()).orElseGet(MessageIds::hostAndPid);
    }

    public String id() {
        return id;
    }
}
