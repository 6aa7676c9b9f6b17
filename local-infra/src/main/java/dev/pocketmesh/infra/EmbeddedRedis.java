package dev.pocketmesh.infra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.Jedis;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.model.OsArchitecture;

/**
 * A real {@code redis-server} child process with append-only persistence in {@code workDir}.
 *
 * <p>The binary is, in order: system property {@value #EXECUTABLE_PROPERTY}, {@code redis-server}
 * on the PATH, else the one bundled in the {@code embedded-redis} jar for this OS/arch, extracted
 * to {@code workDir/bin}. The library's own RedisServer is not used: it cannot leave the server
 * running after the JVM exits, and its extraction marks the binary delete-on-exit.
 */
public final class EmbeddedRedis extends ChildProcess {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);

    /** System property with an explicit redis-server binary. */
    public static final String EXECUTABLE_PROPERTY = "pocketmesh.redis.executable";
    /** How long {@link #start} waits for PING to answer (includes replaying the AOF). */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@link #close} waits for a graceful shutdown (SIGTERM: Redis flushes the AOF) before killing it. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private static final String HOST = "127.0.0.1";

    private final Path workDir;
    private final int port;
    private final Path executable;

    private EmbeddedRedis(Path workDir, int port, Path executable, Process process,
                          boolean keepAliveAfterJvmExit) {
        super(process, STOP_TIMEOUT, "embedded-redis-" + port, keepAliveAfterJvmExit);
        this.workDir = workDir;
        this.port = port;
        this.executable = executable;
    }

    /** Starts a server that is stopped when this JVM exits (or on {@link #close()}). */
    public static EmbeddedRedis start(Path workDir, int port) {
        return start(workDir, port, false);
    }

    /**
     * Starts redis-server on 127.0.0.1:{@code port} and waits until it answers PING.
     *
     * @param keepAliveAfterJvmExit true for a launcher whose JVM exits while Redis keeps running
     *                              (stop it later by pid with {@link InfraProcesses#stop})
     * @throws IllegalStateException if it does not become ready (message has the log tail)
     */
    public static EmbeddedRedis start(Path workDir, int port, boolean keepAliveAfterJvmExit) {
        Path dir = workDir.toAbsolutePath().normalize();
        long t0 = System.nanoTime();
        Path executable;
        Process process;
        try {
            Files.createDirectories(dir);
            executable = resolveExecutable(dir);
            Path config = dir.resolve("redis.conf");
            // A config file rather than --options: values are quoted, so odd paths are safe.
            Files.writeString(config, config(dir, port));
            process = InfraProcesses.launch(List.of(executable.toString(), config.toString()), dir,
                    stdoutFile(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start redis-server in " + dir, e);
        }

        EmbeddedRedis redis = new EmbeddedRedis(dir, port, executable, process, keepAliveAfterJvmExit);
        try {
            redis.awaitReady();
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        LOG.info("Redis {} ready in {} ms (pid {}, {}, dir {})", redis.url(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), process.pid(), executable, dir);
        return redis;
    }

    /**
     * The redis-server to run: {@value #EXECUTABLE_PROPERTY}, else {@code redis-server} on the
     * PATH, else the binary bundled in the embedded-redis jar, extracted under
     * {@code workDir/bin} (kept there, so a restart or a detached server does not lose it).
     */
    public static Path resolveExecutable(Path workDir) throws IOException {
        String configured = System.getProperty(EXECUTABLE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(EXECUTABLE_PROPERTY + "=" + configured + " is not executable");
            }
            return path;
        }
        Optional<Path> onPath = findOnPath("redis-server");
        if (onPath.isPresent()) {
            return onPath.get();
        }
        return extractBundled(workDir.resolve("bin"));
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://" + HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path workDir() {
        return workDir;
    }

    /** The binary that is running. */
    public Path executable() {
        return executable;
    }

    /** Redis' own log file. */
    public Path logFile() {
        return workDir.resolve("redis.log");
    }

    @Override
    public String toString() {
        return "EmbeddedRedis[" + url() + ", pid " + pid() + ", " + workDir + "]";
    }

    // --- internals ------------------------------------------------------------------------------

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        Exception last = null;
        while (true) {
            // PING fails with LOADING while the AOF is replayed, so PONG really means ready.
            try (Jedis jedis = new Jedis(HOST, port, 1000)) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            String problem = null;
            if (!isAlive()) {
                problem = "redis-server exited with code " + process().exitValue() + " during start-up";
            } else if (System.nanoTime() > deadline) {
                problem = "redis-server on " + url() + " did not answer PING within "
                        + STARTUP_TIMEOUT.toSeconds() + " s";
            }
            if (problem != null) {
                throw new IllegalStateException(problem + " (" + executable + ", workDir " + workDir
                        + "); last lines of " + logFile() + ":\n" + InfraProcesses.tail(logFile(), 20)
                        + "\nand of " + stdoutFile(workDir) + ":\n" + InfraProcesses.tail(stdoutFile(workDir), 20),
                        last);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Redis", e);
            }
        }
    }

    /** Output before the log file is open (e.g. a config error) lands here. */
    private static Path stdoutFile(Path dir) {
        return dir.resolve("redis-stdout.log");
    }

    private static String config(Path dir, int port) {
        return String.join("\n",
                "# Written by dev.pocketmesh.infra.EmbeddedRedis on every start.",
                "port " + port,
                "bind " + HOST,
                "protected-mode no",
                "daemonize no",
                "dir " + quote(dir.toString()),
                "logfile " + quote(dir.resolve("redis.log").toString()),
                "# Durable across restarts through the AOF only; no RDB snapshots.",
                "appendonly yes",
                "appendfsync everysec",
                "save \"\"",
                "");
    }

    /** Redis config syntax: double-quoted, with backslash escapes. */
    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path candidate = Path.of(entry, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Copies the jar's binary for this OS/arch (library's own mapping) into {@code binDir}. */
    private static Path extractBundled(Path binDir) throws IOException {
        OsArchitecture osArch = OsArchitecture.detectOSandArchitecture();
        String resource = ExecutableProvider.newProvidedVersionsMap().get(osArch);
        if (resource == null) {
            throw new IllegalStateException("embedded-redis ships no redis-server for " + osArch.os + "/"
                    + osArch.arch + "; install redis-server on the PATH or set " + EXECUTABLE_PROPERTY);
        }
        Path target = binDir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        if (Files.isExecutable(target)) {
            return target;
        }
        Files.createDirectories(binDir);
        // Write to a temp file and move it in place, so a concurrent starter never runs half a file.
        Path tmp = Files.createTempFile(binDir, "redis-server", ".part");
        try (InputStream in = ExecutableProvider.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + resource + " missing from the embedded-redis jar");
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            if (!tmp.toFile().setExecutable(true)) {
                throw new IOException("Could not make " + tmp + " executable");
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }
}
