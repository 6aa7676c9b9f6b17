package dev.pocketmesh.cli.mesh;

/** One running service process of a local mesh. */
public record ServiceInfo(String name, ServiceKind kind, long pid, int httpPort, String logFile) {
    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }
}
