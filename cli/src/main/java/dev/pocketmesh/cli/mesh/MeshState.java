package dev.pocketmesh.cli.mesh;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.pocketmesh.infra.InfraProcesses;
import dev.pocketmesh.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@code pocketmesh up} started, saved as {@code <home>/run/mesh.json}, so that later commands (another
 * JVM) can find the mesh and {@code down} can stop it.
 */
public record MeshState(String home, long redisPid, int redisPort, long kafkaPid, int kafkaPort,
        int kafkaControllerPort, List<ServiceInfo> services, Instant startedAt) {

    public static Path file(Path home) {
        return home.resolve("run/mesh.json");
    }

    public static Optional<MeshState> read(Path home) {
        Path file = file(home);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.read(Files.readString(file), MeshState.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write() {
        try {
            Path file = file(Path.of(home));
            Files.createDirectories(file.getParent());
            Files.writeString(file, Json.writePretty(this));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void delete(Path home) {
        try {
            Files.deleteIfExists(file(home));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @JsonIgnore
    public String kafkaBootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    @JsonIgnore
    public String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    @JsonIgnore
    public String orchestratorUrl() {
        return first(ServiceKind.ORCHESTRATOR).map(ServiceInfo::url).orElse("http://127.0.0.1:8080");
    }

    public Optional<ServiceInfo> first(ServiceKind kind) {
        return services.stream().filter(s -> s.kind() == kind).findFirst();
    }

    /** Whether the brokers and the orchestrator are still running. */
    @JsonIgnore
    public boolean isAlive() {
        return InfraProcesses.isAlive(redisPid) && InfraProcesses.isAlive(kafkaPid)
                && first(ServiceKind.ORCHESTRATOR).map(s -> InfraProcesses.isAlive(s.pid())).orElse(false);
    }
}
