package dev.pocketmesh.infra;

import java.time.Duration;

/**
 * A server the local infrastructure runs as a child process (Kafka, Redis). {@link #close()} stops it gracefully
 * (SIGTERM, killed after the stop timeout); so does this JVM's exit, unless the server is to outlive it (a launcher
 * that starts the mesh and returns).
 */
public abstract class ChildProcess implements AutoCloseable {
    private final Process process;
    private final Duration stopTimeout;
    private final Thread shutdownHook;
    private boolean closed;

    /** @param name names the shutdown hook's thread */
    protected ChildProcess(Process process, Duration stopTimeout, String name, boolean keepAliveAfterJvmExit) {
        this.process = process;
        this.stopTimeout = stopTimeout;
        this.shutdownHook = keepAliveAfterJvmExit ? null
                : InfraProcesses.addShutdownHook(name + "-shutdown", this::close);
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Graceful stop (SIGTERM), killed after the stop timeout; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        InfraProcesses.destroy(process.toHandle(), stopTimeout);
        InfraProcesses.removeShutdownHook(shutdownHook);
    }
}
