package dev.pocketmesh.cli.mesh;

/** The services of the mesh, the Maven module each one is packaged from, and its heap in a local mesh. */
public enum ServiceKind {
    ORCHESTRATOR("orchestrator", "384m"),
    HPO("hpo-service", "384m"),
    // Workers and evaluators hold a dataset in memory (Fashion-MNIST: ~280 MB as floats) beside the models.
    EVALUATOR("evaluator", "1536m"),
    WORKER("trial-worker", "1536m");

    private final String module;
    private final String heap;

    ServiceKind(String module, String heap) {
        this.module = module;
        this.heap = heap;
    }

    public String heap() {
        return heap;
    }

    public String module() {
        return module;
    }
}
