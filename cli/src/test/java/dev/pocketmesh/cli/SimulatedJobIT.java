package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.state.RedisKeys;
import dev.pocketmesh.state.TrialRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A simulated job of 12 trials, 3 in flight, through every service: each trial accounted for exactly once. */
class SimulatedJobIT {
    private final MeshFixture fixture = MeshFixture.get();

    @TempDir
    Path runs;

    @Test
    void twelveTrialsWithParallelismThreeCompleteAndCountOnce() throws Exception {
        Path jobFile = runs.resolve("job.yaml");
        Files.writeString(jobFile, MeshFixture.simulatedJob("e2e-twelve", 12, 3, 200, 2, 17));

        // Through the CLI, as a user would: compress against the running mesh writes the reports.
        int exit = PocketMeshCli.commandLine().execute("compress", jobFile.toString(), "--url",
                fixture.mesh.orchestratorUrl(), "--runs-dir", runs.toString(), "--timeout", "PT5M");
        assertThat(exit).isZero();

        String jobId = fixture.jobs.list(50).stream().filter(j -> "e2e-twelve".equals(j.name())).findFirst()
                .orElseThrow().jobId();
        List<TrialRecord> all = fixture.trials.listForJob(jobId);
        List<TrialRecord> search = all.stream().filter(t -> t.kind() == TrialKind.SEARCH).toList();
        assertThat(search).hasSize(12);
        assertThat(search).extracting(TrialRecord::number).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(search).allMatch(t -> t.state() == TrialState.EVALUATED && t.attempt() == 1
                && t.attempts().size() == 1 && t.metrics().containsKey("accuracy"));
        assertThat(all).filteredOn(t -> t.kind() != TrialKind.SEARCH).hasSize(2)
                .allMatch(t -> t.state() == TrialState.EVALUATED);

        // The optimiser was told each trial once; the job counted each once.
        List<Observation> told = fixture.studies.observations(jobId);
        assertThat(told).hasSize(12);
        assertThat(told).extracting(Observation::trialId).doesNotHaveDuplicates();
        assertThat(fixture.redis.scard(RedisKeys.jobFinishedTrials(jobId))).isEqualTo(12);

        // Both workers took part (3 in flight over 2 workers).
        assertThat(search).extracting(TrialRecord::workerId).contains("worker-1", "worker-2");

        Path report = runs.resolve(jobId).resolve("report.json");
        var json = Json.tree(Files.readString(report));
        assertThat(json.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(json.path("trials")).hasSize(12);
        assertThat(json.path("counts").path("evaluated").asInt()).isEqualTo(12);
        assertThat(json.path("baseline").path("metrics").has("accuracy")).isTrue();
        assertThat(json.path("final").path("metrics").has("accuracy")).isTrue();
        assertThat(json.path("ratios").path("flopsReduction").asDouble()).isGreaterThan(1.0);
        assertThat(Files.readString(runs.resolve(jobId).resolve("report.md"))).contains("Baseline vs final")
                .contains(jobId).contains("](plot-accuracy-vs-cost.png)");
        // The HTML report and the plots it shows, copied next to it.
        assertThat(Files.readString(runs.resolve(jobId).resolve("report.html"))).contains("<table>")
                .contains("<img src=\"plot-best-so-far.png\"");
        for (String plot : List.of("plot-accuracy-vs-cost.png", "plot-best-so-far.png", "plot-layers.png")) {
            assertThat(javax.imageio.ImageIO.read(runs.resolve(jobId).resolve(plot).toFile())).as(plot).isNotNull();
        }
    }

    @Test
    void theSameSeedProposesTheSameConfigurations() {
        String a = fixture.submit(MeshFixture.simulatedJob("e2e-seed-a", 4, 2, 0, 1, 99));
        String b = fixture.submit(MeshFixture.simulatedJob("e2e-seed-b", 4, 2, 0, 1, 99));
        fixture.awaitCompleted(a, Duration.ofMinutes(2));
        fixture.awaitCompleted(b, Duration.ofMinutes(2));
        for (int n = 1; n <= 4; n++) {
            assertThat(config(b, n)).isEqualTo(config(a, n));
        }
    }

    /**
     * The model-based optimisers drive a job through the mesh; with three trials in flight each batch sees the
     * others as pending points, so no configuration is proposed twice. ddpg runs in the hpo-service on DJL (its
     * agent acts from trial 9 on).
     */
    @Test
    void modelBasedJobsCompleteWithDistinctProposals() {
        for (String optimizer : List.of("tpe", "gp", "ddpg")) {
            String jobId = fixture.submit(MeshFixture.simulatedJob("e2e-" + optimizer, optimizer, 14, 3, 0, 1, 5));
            fixture.awaitCompleted(jobId, Duration.ofMinutes(2));
            List<TrialRecord> search = fixture.trials.listForJob(jobId).stream()
                    .filter(t -> t.kind() == TrialKind.SEARCH).toList();
            assertThat(search).as(optimizer).hasSize(14).allMatch(t -> t.state() == TrialState.EVALUATED);
            assertThat(search).extracting(TrialRecord::config).as(optimizer).doesNotHaveDuplicates();
        }
    }

    private Object config(String jobId, int number) {
        return fixture.trials.find(dev.pocketmesh.contracts.MessageIds.searchTrialId(jobId, number)).orElseThrow()
                .config();
    }
}
