package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.SimulatedLearner;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.RandomSampler;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import dev.pocketmesh.state.TrialRecord;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hpo-service is killed mid-study while trials keep finishing, then restarted: it continues the study
 * from Redis and the Kafka offsets it had committed, with the same proposals an uninterrupted run makes.
 */
class HpoRestartIT {
    private final MeshFixture fixture = MeshFixture.get();
    private boolean killed;

    @Test
    void aRestartedHpoServiceContinuesTheStudyFromRedis() {
        long seed = 23;
        String jobId = fixture.submit(MeshFixture.simulatedJob("e2e-hpo-restart", 8, 2, 1500, 1, seed));

        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> fixture.studies.observations(jobId).size() >= 2);
        fixture.mesh.kill("hpo-service");
        killed = true;
        int toldBeforeKill = fixture.studies.observations(jobId).size();
        // Results keep arriving while the optimiser is away: trials finish that nobody has told it about.
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> fixture.trials.finishedSearchTrials(jobId) > toldBeforeKill);
        assertThat(fixture.studies.observations(jobId)).hasSize(toldBeforeKill);

        fixture.mesh.restart("hpo-service");
        killed = false;
        fixture.awaitCompleted(jobId, Duration.ofMinutes(3));

        List<TrialRecord> search = fixture.trials.listForJob(jobId).stream()
                .filter(t -> t.kind() == TrialKind.SEARCH).toList();
        assertThat(search).hasSize(8).allMatch(t -> t.state() == TrialState.EVALUATED);
        List<Observation> told = fixture.studies.observations(jobId);
        assertThat(told).hasSize(8);
        assertThat(told).extracting(Observation::trialId).doesNotHaveDuplicates();

        // Exactly the configurations an uninterrupted study with this seed proposes: random suggestions, each
        // projected onto the job's FLOPs target by the learner.
        JobSpec spec = new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), p -> true))
                .parse(MeshFixture.simulatedJob("e2e-hpo-restart", 8, 2, 1500, 1, seed));
        SimulatedLearner learner = new SimulatedLearner();
        SearchSpace space = learner.searchSpace(spec);
        RandomSampler sampler = new RandomSampler(seed);
        for (int n = 1; n <= 8; n++) {
            assertThat(fixture.trials.find(MessageIds.searchTrialId(jobId, n)).orElseThrow().config())
                    .isEqualTo(learner.complete(sampler.suggest(space, List.of(), n), spec));
        }
    }

    @AfterEach
    void restoreTheMesh() {
        if (killed) {
            fixture.mesh.restart("hpo-service");
        }
    }
}
