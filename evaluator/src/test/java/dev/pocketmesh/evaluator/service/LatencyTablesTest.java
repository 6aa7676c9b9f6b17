package dev.pocketmesh.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.artifacts.FileArtifactStore;
import dev.pocketmesh.evaluator.config.EvaluatorIdentity;
import dev.pocketmesh.evaluator.config.EvaluatorIdentityTest;
import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.nn.measure.LatencyModel;
import dev.pocketmesh.search.RandomSampler;
import dev.pocketmesh.spec.JobSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluator's side of the up-front grid: a pruning job's pieces are timed once and stored for the profile. */
class LatencyTablesTest {
    @TempDir
    Path store;

    private static JobSpec job(String learner, Map<String, Object> params) {
        return new JobSpec("grid", new JobSpec.Model("lenet5", null), new JobSpec.Dataset("synthetic", null, 300),
                new JobSpec.Compression(learner, params, Map.of("flopsRatio", 2.0)),
                new JobSpec.Search("random", 4, 1, 1), new JobSpec.Training(1, 32, 0.01, "cpu"), null);
    }

    @Test
    void aPruningJobsGridIsTimedAndStoredOnceSoEveryProposalHasAnEstimate() {
        FileArtifactStore artifacts = new FileArtifactStore(store);
        LatencyTables tables = new LatencyTables(artifacts,
                new EvaluatorIdentity(EvaluatorIdentityTest.config("cpu", null)),
                EvaluatorIdentityTest.config("cpu", null), LearnerCatalog.standard());
        JobSpec spec = job(ChannelPruningLearner.NAME, Map.of("minRatio", 0.3));

        LatencyTables.GridTiming first = tables.timeSearchGrid(spec, 1).orElseThrow();
        assertThat(first.pieces()).isGreaterThan(100);
        assertThat(first.timed()).isEqualTo(first.pieces());
        assertThat(first.skipped()).isZero();
        // Stored for the profile: what the hpo-service reads, and it estimates any completed proposal.
        Map<String, Double> stored = LatencyModel.readTable(artifacts, "cpu");
        assertThat(stored).hasSize(first.pieces());
        ChannelPruningLearner learner = new ChannelPruningLearner();
        RandomSampler sampler = new RandomSampler(3);
        for (int n = 1; n <= 10; n++) {
            Map<String, Object> config = learner.complete(sampler.suggest(learner.searchSpace(spec), List.of(), n),
                    spec);
            assertThat(LatencyModel.estimateFromTable(stored, learner.output(JobNetwork.resolve(spec), config)))
                    .as(config.toString()).isPresent();
        }
        // The same job again (or a redelivered baseline) finds the grid in the table: nothing is timed twice.
        assertThat(tables.timeSearchGrid(spec, 1).orElseThrow().timed()).isZero();
        // Only channel pruning proposes networks the table can cost.
        assertThat(tables.timeSearchGrid(job("weight-sparsification", Map.of()), 1)).isEmpty();
    }
}
