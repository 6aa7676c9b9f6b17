package dev.pocketmesh.cli.watch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.cli.client.OrchestratorClient;
import dev.pocketmesh.contracts.JobState;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Follows a job until it ends, redrawing one progress line: state, trials done / in flight / budget, the best
 * objective so far and the elapsed time. On a terminal the line is rewritten in place; elsewhere (CI logs)
 * a line is printed only when it changes.
 */
public final class JobWatcher {
    private final OrchestratorClient client;
    private final PrintStream out;
    private final boolean interactive;
    private final Duration pollEvery;

    public JobWatcher(OrchestratorClient client, PrintStream out, boolean interactive, Duration pollEvery) {
        this.client = client;
        this.out = out;
        this.interactive = interactive;
        this.pollEvery = pollEvery;
    }

    /** Blocks until the job is terminal or {@code timeout} passes; returns the last job document. */
    public JsonNode watch(String jobId, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String previous = "";
        while (true) {
            JsonNode doc = client.job(jobId)
                    .orElseThrow(() -> new IllegalArgumentException("no job " + jobId + " at " + client.baseUrl()));
            JobState state = JobState.valueOf(doc.path("job").path("state").asText());
            String line = render(doc, Duration.ofNanos(System.nanoTime() - start));
            if (interactive) {
                out.print("\r" + line + " ".repeat(Math.max(0, previous.length() - line.length())));
                out.flush();
            } else if (!line.replaceAll("\\d+s$", "").equals(previous.replaceAll("\\d+s$", ""))) {
                out.println(line);
            }
            previous = line;
            if (state.isTerminal()) {
                if (interactive) {
                    out.println();
                }
                return doc;
            }
            if (System.nanoTime() > deadline) {
                if (interactive) {
                    out.println();
                }
                throw new IllegalStateException("job " + jobId + " still " + state + " after " + timeout.toSeconds()
                        + " s");
            }
            try {
                Thread.sleep(pollEvery.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** e.g. {@code [SEARCHING] job-1 | trials 7/12 done, 2 running, 3 stopped early | t0008 epoch 1/2 val 0.8712 | best 0.8812 (t0004) | 42s} */
    public static String render(JsonNode doc, Duration elapsed) {
        JsonNode job = doc.path("job");
        JsonNode p = doc.path("progress");
        StringBuilder line = new StringBuilder();
        line.append('[').append(job.path("state").asText()).append("] ").append(job.path("jobId").asText());
        if (p.has("budget")) {
            line.append(" | trials ").append(p.path("finished").asInt()).append('/').append(p.path("budget").asInt())
                    .append(" done, ").append(p.path("running").asInt()).append(" running");
            if (p.path("pruned").asInt() > 0) {
                line.append(", ").append(p.path("pruned").asInt()).append(" stopped early");
            }
        }
        for (JsonNode epoch : p.path("training")) {
            // e.g. "t0003 epoch 2/4 val 0.8712": which trials are training and how far they are.
            String trial = epoch.path("trialId").asText("");
            int dash = trial.lastIndexOf('-');
            line.append(" | ").append(dash >= 0 ? trial.substring(dash + 1) : trial).append(" epoch ")
                    .append(epoch.path("epoch").asInt()).append('/').append(epoch.path("totalEpochs").asInt());
            JsonNode accuracy = epoch.path("metrics").path("accuracy");
            if (accuracy.isNumber()) {
                line.append(String.format(Locale.ROOT, " val %.4f", accuracy.asDouble()));
            }
        }
        if (p.hasNonNull("bestValue")) {
            String best = p.path("bestTrialId").asText("");
            int dash = best.lastIndexOf('-');
            line.append(" | best ").append(String.format(Locale.ROOT, "%.4f", p.path("bestValue").asDouble()))
                    .append(" (").append(dash >= 0 ? best.substring(dash + 1) : best).append(')');
        }
        String message = job.path("message").asText("");
        if (!message.isEmpty() && JobState.valueOf(job.path("state").asText()).isTerminal()) {
            line.append(" | ").append(message);
        }
        line.append(" | ").append(elapsed.toSeconds()).append('s');
        return line.toString();
    }
}
