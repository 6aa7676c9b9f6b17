package dev.pocketmesh.cli.commands;

import dev.pocketmesh.cli.client.OrchestratorClient;
import dev.pocketmesh.cli.mesh.MeshState;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command shares: where local state lives and which orchestrator to talk to. */
public final class MeshOptions {
    @Option(names = "--home", description = "State, logs and artifacts of the local mesh "
            + "(default: $POCKETMESH_HOME or ~/.pocketmesh).")
    Path home;

    @Option(names = "--url", description = "Orchestrator URL (default: the local mesh's, else http://127.0.0.1:8080).")
    String url;

    @Option(names = "--token", description = "Bearer token for an orchestrator that requires one "
            + "(pocketmesh.auth.token; default: $POCKETMESH_TOKEN).")
    String token;

    /** --token, else $POCKETMESH_TOKEN, else none. */
    public String token() {
        return token != null ? token : System.getenv("POCKETMESH_TOKEN");
    }

    public Path home() {
        if (home != null) {
            return home.toAbsolutePath();
        }
        String env = System.getenv("POCKETMESH_HOME");
        return env != null && !env.isBlank() ? Path.of(env).toAbsolutePath()
                : Path.of(System.getProperty("user.home"), ".pocketmesh");
    }

    public OrchestratorClient client() {
        if (url != null) {
            return new OrchestratorClient(url, token());
        }
        return new OrchestratorClient(MeshState.read(home()).filter(MeshState::isAlive)
                .map(MeshState::orchestratorUrl).orElse("http://127.0.0.1:8080"), token());
    }
}
