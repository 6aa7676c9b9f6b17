package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.TrialRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code objective: pareto} through the mesh: a simulated search of accuracy against latency keeps the front of
 * the evaluated trials, reports it, and finalizes the member the job's rule picks (knee, or the most accurate under
 * a latency bound), each checked here against the trial records independently of the code that chose it.
 */
class ParetoJobIT {
    private final MeshFixture fixture = MeshFixture.get();

    @TempDir
    Path runs;

    @Test
    void theKneeOfTheFrontIsFinalizedAndReported() throws Exception {
        Path jobFile = runs.resolve("pareto.yaml");
        Files.writeString(jobFile, job("e2e-pareto-knee", "{cost: latencyMs, pick: knee}"));
        int exit = PocketMeshCli.commandLine().execute("compress", jobFile.toString(), "--url",
                fixture.mesh.orchestratorUrl(), "--runs-dir", runs.toString(), "--timeout", "PT4M");
        assertThat(exit).isZero();
        String jobId = jobId("e2e-pareto-knee");
        List<TrialRecord> evaluated = evaluated(jobId);
        List<TrialRecord> front = front(evaluated);

        JsonNode pareto = Json.tree(Files.readString(runs.resolve(jobId).resolve("report.json"))).path("pareto");
        List<String> reported = new ArrayList<>();
        pareto.path("front").forEach(m -> reported.add(m.path("trialId").asText()));
        assertThat(reported).containsExactlyInAnyOrderElementsOf(front.stream().map(TrialRecord::trialId).toList());
        assertThat(front.size()).isGreaterThanOrEqualTo(3);

        String knee = knee(front).trialId();
        assertThat(pareto.path("picked").path("trialId").asText()).isEqualTo(knee);
        JobRecord job = fixture.jobs.find(jobId).orElseThrow();
        assertThat(job.bestTrialId()).isEqualTo(knee);
        assertThat(Files.readString(runs.resolve(jobId).resolve("report.md"))).contains("Pareto front")
                .contains("**picked**").contains("* = picked");
    }

    @Test
    void theMostAccurateUnderALatencyBoundIsFinalized() {
        String jobId = fixture.submit(job("e2e-pareto-bound", "{cost: latencyMs, pick: max-accuracy-under, bound: 3.0}"));
        fixture.awaitCompleted(jobId, Duration.ofMinutes(4));
        List<TrialRecord> under = front(evaluated(jobId)).stream()
                .filter(t -> t.metrics().get("latencyMs") <= 3.0).toList();
        assertThat(under).isNotEmpty();
        TrialRecord expected = under.stream()
                .max(java.util.Comparator.comparingDouble((TrialRecord t) -> t.metrics().get("accuracy"))).orElseThrow();
        TrialRecord best = fixture.trials.find(fixture.jobs.find(jobId).orElseThrow().bestTrialId()).orElseThrow();
        assertThat(best.trialId()).isEqualTo(expected.trialId());
        assertThat(best.metrics().get("latencyMs")).isLessThanOrEqualTo(3.0);
    }

    private static String job(String name, String pareto) {
        return """
                name: %s
                model: {zoo: lenet5}
                dataset: {format: synthetic}
                compression: {learner: simulated, params: {layers: 4, sleepMs: 0, noise: 0.0}}
                search: {optimizer: random, trials: 12, parallelism: 2, seed: 13, objective: pareto, pareto: %s}
                training: {epochs: 1}
                """.formatted(name, pareto);
    }

    private String jobId(String name) {
        return fixture.jobs.list(200).stream().filter(j -> name.equals(j.name())).findFirst().orElseThrow().jobId();
    }

    private List<TrialRecord> evaluated(String jobId) {
        return fixture.trials.listForJob(jobId).stream()
                .filter(t -> t.kind() == TrialKind.SEARCH && t.state() == TrialState.EVALUATED).toList();
    }

    /** Accuracy up, latency down: the trials no other trial beats in both (ties in both do not dominate). */
    private static List<TrialRecord> front(List<TrialRecord> trials) {
        return trials.stream().filter(a -> trials.stream().noneMatch(b -> {
            double ab = b.metrics().get("accuracy");
            double aa = a.metrics().get("accuracy");
            double lb = b.metrics().get("latencyMs");
            double la = a.metrics().get("latencyMs");
            return ab >= aa && lb <= la && (ab > aa || lb < la);
        })).toList();
    }

    /** The member farthest above the line joining the most accurate and the fastest member (axes scaled to [0, 1]). */
    private static TrialRecord knee(List<TrialRecord> front) {
        TrialRecord top = front.stream().max(java.util.Comparator.comparingDouble(t -> t.metrics().get("accuracy")))
                .orElseThrow();
        TrialRecord fast = front.stream().min(java.util.Comparator.comparingDouble(t -> t.metrics().get("latencyMs")))
                .orElseThrow();
        double a0 = fast.metrics().get("accuracy");
        double a1 = top.metrics().get("accuracy");
        double l0 = fast.metrics().get("latencyMs");
        double l1 = top.metrics().get("latencyMs");
        TrialRecord knee = top;
        double best = 0;
        for (TrialRecord t : front) {
            // In scaled coordinates (speed = 1 - latency share, accuracy share) the extremes are (1, 0) and (0, 1);
            // a member's height above their line is x + y - 1.
            double x = (l1 - t.metrics().get("latencyMs")) / (l1 - l0);
            double y = (t.metrics().get("accuracy") - a0) / (a1 - a0);
            if (x + y - 1 > best + 1e-12) {
                best = x + y - 1;
                knee = t;
            }
        }
        return knee;
    }
}
