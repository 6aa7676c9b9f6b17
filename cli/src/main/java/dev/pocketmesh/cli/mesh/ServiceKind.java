package dev.pocketmesh.cli.mesh;

/** The services of the mesh and the Maven module each one is packaged from. */
public enum ServiceKind {
    ORCHESTRATOR("orchestrator"),
    HPO("hpo-service"),
    EVALUATOR("evaluator"),
    WORKER("trial-worker");

    private final String module;

    ServiceKind(String module) {
        this.module = module;
    }

    public String module() {
        return module;
    }
}
