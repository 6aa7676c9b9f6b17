package dev.pocketmesh.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code file://} artifacts under one root directory (a shared volume in a cluster). Paths are confined to
 * the root: nothing is read or written outside it, whatever a message says.
 */
public final class FileArtifactStore implements ArtifactStore {
    private final Path root;

    public FileArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public URI put(String relativePath, byte[] bytes) {
        Path target = resolve(relativePath);
        try {
            Files.createDirectories(target.getParent());
            // Write then rename, so a reader never sees half an artifact.
            Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write artifact " + target, e);
        }
        return target.toUri();
    }

    @Override
    public URI uri(String relativePath) {
        return resolve(relativePath).toUri();
    }

    @Override
    public byte[] get(URI uri) {
        try {
            return Files.readAllBytes(confined(uri));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read artifact " + uri, e);
        }
    }

    @Override
    public boolean exists(URI uri) {
        return Files.exists(confined(uri));
    }

    @Override
    public List<String> list(String relativeDir) {
        Path dir = resolve(relativeDir);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(".tmp-"))
                    .map(p -> dir.relativize(p).toString().replace(java.io.File.separatorChar, '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list artifacts under " + dir, e);
        }
    }

    private Path resolve(String relativePath) {
        Path p = root.resolve(relativePath).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("artifact path escapes the store: " + relativePath);
        }
        return p;
    }

    private Path confined(URI uri) {
        if (!"file".equals(uri.getScheme())) {
            throw new IllegalArgumentException("not a file:// artifact URI: " + uri);
        }
        Path p = Paths.get(uri).toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("artifact outside the store root " + root + ": " + uri);
        }
        return p;
    }
}
