package dev.pocketmesh.infra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Process plumbing shared by {@link EmbeddedKafka}, {@link EmbeddedRedis} and the local-mode
 * launcher's service processes: launching with output to a file, reading a log's tail, and checking
 * on and stopping a process by pid, possibly from another JVM than the one that started it.
 */
public final class InfraProcesses {

    private InfraProcesses() {
    }

    /** Whether a process with this pid is running. */
    public static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Stops a process by pid: a graceful terminate (SIGTERM: Kafka and Redis both flush and exit
     * cleanly on it), then a forcible kill after {@code grace}.
     *
     * @return false if no such process was running
     */
    public static boolean stop(long pid, Duration grace) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        destroy(handle.get(), grace);
        return true;
    }

    /**
     * Starts {@code command} in {@code workDir} with stdout and stderr appended to {@code output}.
     * Output goes to a file rather than a pipe so that nothing in this JVM has to drain it and so
     * that the child keeps running normally once this JVM has exited.
     */
    public static Process launch(List<String> command, Path workDir, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        Process process = builder.start();
        // The servers never read stdin; closing our end means no pipe ties them to this JVM.
        process.getOutputStream().close();
        return process;
    }

    /** Terminate, wait up to {@code grace}, then kill and wait for the exit to be observed. */
    static void destroy(ProcessHandle handle, Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        CompletableFuture<ProcessHandle> exited = handle.onExit();
        handle.destroy();
        try {
            exited.get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            handle.destroyForcibly();
            try {
                exited.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException ignored) {
                // SIGKILL was sent; nothing more we can do.
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        } catch (ExecutionException ignored) {
            // onExit() does not complete exceptionally.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.destroyForcibly();
        }
    }

    /** The last {@code maxLines} lines of a (possibly large, possibly missing) text file. */
    public static String tail(Path file, int maxLines) {
        if (!Files.isRegularFile(file)) {
            return "(" + file + " does not exist)";
        }
        // Only read the end: a long-running broker's log can be big.
        final int maxBytes = 64 * 1024;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int size = (int) Math.min(length, maxBytes);
            byte[] bytes = new byte[size];
            raf.seek(length - size);
            raf.readFully(bytes);
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\\R");
            int from = Math.max(0, lines.length - maxLines);
            return String.join(System.lineSeparator(), List.of(lines).subList(from, lines.length));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    /** Registers a hook and returns it, so that it can be removed again on an orderly close. */
    static Thread addShutdownHook(String name, Runnable action) {
        Thread hook = new Thread(action, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    static void removeShutdownHook(Thread hook) {
        if (hook == null || hook == Thread.currentThread()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to; close() is idempotent, so that is fine.
        }
    }
}
