package dev.pocketmesh.infra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** A Quarkus test resource: a fresh temp directory as {@code pocketmesh.artifacts.root}, deleted when the application stops. */
public class TempArtifactRoot implements QuarkusTestResourceLifecycleManager {
    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("pocketmesh-artifacts-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("pocketmesh.artifacts.root", root.toString());
    }

    @Override
    public void stop() {
        if (root == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: it is a temp directory.
        }
    }
}
