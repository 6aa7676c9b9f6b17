package dev.pocketmesh.orchestrator;

import java.util.UUID;

/** Job documents for the tests. */
final class Specs {
    /** A simulated job with three search trials that "train" instantly. */
    static final String SIMULATED = """
            {"name":"t","model":{"zoo":"lenet5"},"dataset":{"format":"synthetic"},\
            "compression":{"learner":"simulated","params":{"sleepMs":0}},\
            "search":{"optimizer":"random","trials":3,"parallelism":1,"seed":1}}""";

    private Specs() {
    }

    /** Tests share one broker and one Redis: every job gets its own id. */
    static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
