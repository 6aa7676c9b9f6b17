package dev.pocketmesh.cli.mesh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the packaged services live: {@code <repo>/<module>/target/quarkus-app/quarkus-run.jar}. The
 * repository root comes from {@code -Dpocketmesh.repo} (set by the {@code ./pocketmesh} script) or is found
 * by walking up from the working directory.
 */
public record RepositoryLayout(Path root) {
    public static final String REPO_PROPERTY = "pocketmesh.repo";

    public static RepositoryLayout discover() {
        String configured = System.getProperty(REPO_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return new RepositoryLayout(Path.of(configured).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRepositoryRoot(dir)) {
                return new RepositoryLayout(dir);
            }
        }
        throw new IllegalStateException("cannot find the PocketMesh repository root above "
                + Path.of("").toAbsolutePath() + "; run from the repository or set -D" + REPO_PROPERTY);
    }

    /** The root holds the launcher script and the module folders (a module's own pom names the parent too). */
    private static boolean isRepositoryRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("pocketmesh")) && Files.isDirectory(dir.resolve("shared-model"))
                && Files.isDirectory(dir.resolve("kafka-dist"));
    }

    public Path serviceJar(ServiceKind kind) {
        return root.resolve(kind.module()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public Path kafkaLibs() {
        return root.resolve("kafka-dist/target/kafka-libs");
    }

    /** Fails with the build command to run when a service or the Kafka distribution is not packaged. */
    public void requireBuilt() {
        List<String> missing = new ArrayList<>();
        for (ServiceKind kind : ServiceKind.values()) {
            if (!Files.isRegularFile(serviceJar(kind))) {
                missing.add(root.relativize(serviceJar(kind)).toString());
            }
        }
        if (!Files.isDirectory(kafkaLibs())) {
            missing.add(root.relativize(kafkaLibs()).toString());
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("not built: " + missing + "; run ./mvnw -DskipTests package in " + root);
        }
    }
}
