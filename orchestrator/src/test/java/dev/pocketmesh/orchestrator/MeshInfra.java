package dev.pocketmesh.orchestrator;

import dev.pocketmesh.infra.MeshInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;

/** Real Kafka and Redis for every @QuarkusTest of this module (one of each per JVM). */
@QuarkusTestResource(value = MeshInfraTestResource.class, restrictToAnnotatedClass = false)
public final class MeshInfra {
    private MeshInfra() {
    }
}
