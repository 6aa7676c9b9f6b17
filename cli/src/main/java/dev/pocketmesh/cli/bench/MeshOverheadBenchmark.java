package dev.pocketmesh.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.cli.client.OrchestratorClient;
import dev.pocketmesh.cli.mesh.LocalMesh;
import dev.pocketmesh.cli.watch.JobWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Mesh overhead: simulated trials that sleep zero milliseconds, so all that is measured is the mesh itself —
 * the hpo-service proposing through Kafka, a worker claiming the lease in Redis and handing off to the
 * evaluator through Kafka, the evaluator publishing the result, and the result being applied in Redis. Per
 * trial: from the moment the proposal was recorded to the moment its result was applied (both stamped in
 * Redis by the services). A warm-up job runs first so the JIT has compiled the hot paths.
 *
 * <p>One mesh, one job per level of parallelism, in the same run so that the rows compare. With one trial in
 * flight nothing queues: that row is the mesh's own overhead, which the target applies to. With more in
 * flight, a proposal can wait for the worker that owns its partition to finish another trial (Kafka assigns
 * partitions, not messages, to consumers), and the processes compete for the two cores: that row shows
 * throughput and what queueing costs.
 */
public final class MeshOverheadBenchmark {
    public static final double TARGET_MEDIAN_MS = 50;

    private final int trials;
    private final int warmup;
    private final int workers;
    private final List<Integer> parallelism;
    private final Consumer<String> log;

    public MeshOverheadBenchmark(int trials, int warmup, int workers, List<Integer> parallelism,
            Consumer<String> log) {
        this.trials = trials;
        this.warmup = warmup;
        this.workers = workers;
        this.parallelism = parallelism;
        this.log = log;
    }

    /** One row per level of parallelism, measured on the same mesh one after another. */
    public Report run() throws IOException {
        Path home = Files.createTempDirectory("pocketmesh-bench-");
        try (LocalMesh mesh = LocalMesh.start(LocalMesh.Options.isolated(home, workers, Map.of()), log)) {
            OrchestratorClient client = new OrchestratorClient(mesh.orchestratorUrl());
            if (warmup > 0) {
                log.accept("warm-up: " + warmup + " trials");
                runJob(client, "bench-warmup", warmup, workers);
            }
            List<Result> rows = new ArrayList<>();
            for (int inFlight : parallelism) {
                log.accept("measuring: " + trials + " trials, " + workers + " workers, " + inFlight + " in flight");
                String jobId = runJob(client, "bench-p" + inFlight, trials, inFlight);
                rows.add(Result.from(client.trials(jobId), trials, workers, inFlight));
            }
            return new Report(rows, machine(), Instant.now());
        }
    }

    private String runJob(OrchestratorClient client, String name, int count, int parallelism) {
        String spec = """
                name: %s
                model: {zoo: lenet5}
                dataset: {format: synthetic}
                compression: {learner: simulated, params: {sleepMs: 0}}
                search: {optimizer: random, trials: %d, parallelism: %d, seed: 7}
                training: {epochs: 1}
                """.formatted(name, count, parallelism);
        OrchestratorClient.Submitted submitted = client.submit(spec, null);
        if (!submitted.accepted()) {
            throw new IllegalStateException("benchmark job refused: " + submitted.errors());
        }
        JsonNode last = new JobWatcher(client, System.out, false, Duration.ofSeconds(2))
                .watch(submitted.jobId(), Duration.ofMinutes(30));
        if (!"COMPLETED".equals(last.path("job").path("state").asText())) {
            throw new IllegalStateException("benchmark job ended " + last.path("job"));
        }
        return submitted.jobId();
    }

    /** Latencies of the measured job's search trials. */
    public record Result(int trials, int workers, int parallelism, double medianMs, double p90Ms, double p99Ms,
            double meanMs, double maxMs, double proposalToClaimMedianMs, double claimToResultMedianMs,
            double trialsPerSecond) {

        static Result from(JsonNode trialRecords, int expected, int workers, int parallelism) {
            List<Double> total = new ArrayList<>();
            List<Double> queue = new ArrayList<>();
            List<Double> work = new ArrayList<>();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (JsonNode t : trialRecords) {
                if (!"SEARCH".equals(t.path("kind").asText()) || !"EVALUATED".equals(t.path("state").asText())) {
                    continue;
                }
                long proposed = Instant.parse(t.path("proposedAt").asText()).toEpochMilli();
                long started = Instant.parse(t.path("startedAt").asText()).toEpochMilli();
                long finished = Instant.parse(t.path("finishedAt").asText()).toEpochMilli();
                total.add((double) (finished - proposed));
                queue.add((double) (started - proposed));
                work.add((double) (finished - started));
                first = Math.min(first, proposed);
                last = Math.max(last, finished);
            }
            if (total.size() != expected) {
                throw new IllegalStateException("expected " + expected + " evaluated trials, found " + total.size());
            }
            double[] sorted = total.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new Result(expected, workers, parallelism, percentile(sorted, 50), percentile(sorted, 90),
                    percentile(sorted, 99), Arrays.stream(sorted).average().orElse(0), sorted[sorted.length - 1],
                    median(queue), median(work), expected / Math.max(0.001, (last - first) / 1000.0));
        }

        String markdownRow() {
            return String.format(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |",
                    trials, workers, parallelism, medianMs, p90Ms, p99Ms, meanMs, maxMs, proposalToClaimMedianMs,
                    claimToResultMedianMs, trialsPerSecond);
        }

        private static double median(List<Double> values) {
            return percentile(values.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 50);
        }

        /** Nearest-rank percentile of sorted values. */
        static double percentile(double[] sorted, double p) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }
    }

    /** The rows of one run; the target applies to the row with one trial in flight. */
    public record Report(List<Result> rows, String machine, Instant measuredAt) implements BenchReport {
        @Override
        public String benchmark() {
            return "mesh-overhead";
        }

        public double overheadMedianMs() {
            return rows.stream().filter(r -> r.parallelism() == 1).mapToDouble(Result::medianMs).findFirst()
                    .orElse(Double.NaN);
        }

        public boolean targetMet() {
            return overheadMedianMs() < TARGET_MEDIAN_MS;
        }

        @Override
        public String markdown() {
            StringBuilder md = new StringBuilder("""
                    | trials | workers | in flight | median ms | p90 ms | p99 ms | mean ms | max ms | proposal→claim ms | claim→result ms | trials/s |
                    |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
                    """);
            rows.forEach(r -> md.append(r.markdownRow()).append('\n'));
            md.append(String.format(Locale.ROOT, "%nMachine: %s. Target: median < %.0f ms with one trial in flight "
                    + "(the mesh's own overhead) → %s (%.1f ms).%n", machine, TARGET_MEDIAN_MS,
                    targetMet() ? "met" : "NOT met", overheadMedianMs()));
            return md.toString();
        }

        /** The report with its target and verdict in front, so the file answers "was it met" at a glance. */
        @Override
        public Object json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("benchmark", "mesh-overhead");
            json.put("targetMedianMs", TARGET_MEDIAN_MS);
            json.put("overheadMedianMs", overheadMedianMs());
            json.put("targetMet", targetMet());
            json.put("report", this);
            return json;
        }
    }

    private static String machine() {
        return BenchMachine.describe();
    }
}
