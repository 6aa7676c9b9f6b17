package dev.pocketmesh.cli.watch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.cli.client.OrchestratorClient;
import dev.pocketmesh.contracts.JobState;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Follows a job until it ends: a progress line (state, trials done / in flight / budget, the best objective so far,
 * the elapsed time) and, on a terminal, a live table under it with one progress bar per trial in flight (epoch of
 * total, latest validation accuracy), redrawn in place. Elsewhere (CI logs) only the line is printed, when it
 * changes.
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
        int drawnLines = 0;
        while (true) {
            JsonNode doc = client.job(jobId)
                    .orElseThrow(() -> new IllegalArgumentException("no job " + jobId + " at " + client.baseUrl()));
            JobState state = JobState.valueOf(doc.path("job").path("state").asText());
            String line = render(doc, Duration.ofNanos(System.nanoTime() - start));
            if (interactive) {
                drawnLines = redraw(drawnLines, line, trialTable(doc));
            } else if (!line.replaceAll("\\d+s$", "").equals(previous.replaceAll("\\d+s$", ""))) {
                out.println(line);
            }
            previous = line;
            if (state.isTerminal()) {
                return doc;
            }
            if (System.nanoTime() > deadline) {
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

    /** Replaces the block drawn last (its line count given) with the progress line and the trial table. */
    private int redraw(int drawnLines, String line, List<String> table) {
        StringBuilder frame = new StringBuilder();
        if (drawnLines > 0) {
            frame.append("\033[").append(drawnLines).append('F'); // to the start of the block's first line
        }
        List<String> lines = new ArrayList<>();
        lines.add(line);
        lines.addAll(table);
        for (String l : lines) {
            frame.append("\033[2K").append(l).append('\n');
        }
        // Lines left over from a taller block (fewer trials in flight now) are cleared, the cursor stays below.
        for (int i = lines.size(); i < drawnLines; i++) {
            frame.append("\033[2K\n");
        }
        int height = Math.max(lines.size(), drawnLines);
        out.print(frame);
        out.flush();
        return height;
    }

    static final int BAR_WIDTH = 20;

    /**
     * One line per trial in flight, e.g. {@code t0003 [##########----------] epoch 2/4  val 0.8712}: the bar is the
     * share of its epochs done; the accuracy is the latest its worker reported.
     */
    public static List<String> trialTable(JsonNode doc) {
        List<String> lines = new ArrayList<>();
        for (JsonNode epoch : doc.path("progress").path("training")) {
            int done = epoch.path("epoch").asInt();
            int total = Math.max(1, epoch.path("totalEpochs").asInt());
            int filled = (int) Math.round((double) BAR_WIDTH * Math.min(done, total) / total);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-8s [%s%s] epoch %d/%d",
                    shortId(epoch.path("trialId").asText("")), "#".repeat(filled), "-".repeat(BAR_WIDTH - filled),
                    done, total));
            JsonNode accuracy = epoch.path("metrics").path("accuracy");
            if (accuracy.isNumber()) {
                line.append(String.format(Locale.ROOT, "  val %.4f", accuracy.asDouble()));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** "job-1-t0003" → "t0003": trial ids carry their job's id. */
    private static String shortId(String trialId) {
        int dash = trialId.lastIndexOf('-');
        return dash >= 0 ? trialId.substring(dash + 1) : trialId;
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
