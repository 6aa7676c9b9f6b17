package dev.pocketmesh.hpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProposal;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.hpo.service.StudyRecovery;
import dev.pocketmesh.hpo.service.StudyService;
import dev.pocketmesh.infra.MeshInfraTestResource;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.RandomSampler;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.state.RedisKeys;
import dev.pocketmesh.state.StudyRecord;
import dev.pocketmesh.state.StudyStore;
import dev.pocketmesh.state.TrialRecord;
import dev.pocketmesh.state.TrialStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** Crash repair, determinism across studies and restarts. */
@QuarkusTest
@QuarkusTestResource(value = MeshInfraTestResource.class, restrictToAnnotatedClass = false)
class StudyRecoveryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Inject
    StudyStore studies;

    @Inject
    TrialStore trials;

    @Inject
    StudyService service;

    @Inject
    StudyRecovery recovery;

    @Inject
    UnifiedJedis redis;

    private final MeshClients mesh = MeshClients.get();

    @Test
    void recoveryCreatesAndPublishesWhatACrashLeftOut() {
        String jobId = MeshClients.newJobId("crash");
        JobSpec spec = MeshClients.spec(6, 3, 11);
        SearchSpace space = space(spec);
        studies.create(jobId, "random", 11, 6, 3, space, spec);

        // Crash 1: numbers 1-3 reserved, then the process died before creating any trial.
        assertThat(studies.reserveTrialNumbers(jobId)).containsExactly(1, 2, 3);
        // Crash 2 (trial 2): created in Redis but died before publishing.
        RandomSampler sampler = new RandomSampler(11);
        TrialProposal second = TrialProposal.of(jobId, MessageIds.searchTrialId(jobId, 2), 2, 1, TrialKind.SEARCH,
                sampler.suggest(space, List.of(), 2), spec);
        assertThat(trials.propose(second)).isTrue();

        Map<String, StudyService.Recovered> recovered = recovery.recoverAll();

        assertThat(recovered).containsKey(jobId);
        StudyService.Recovered r = recovered.get(jobId);
        assertThat(r.created()).isEqualTo(2);
        assertThat(r.republished()).isEqualTo(1);
        assertThat(r.proposed()).isEmpty(); // 3 in flight = parallelism: nothing new
        await().atMost(DEADLINE).until(() -> mesh.proposedNumbers(jobId).equals(List.of(1, 2, 3)));
        for (int n = 1; n <= 3; n++) {
            TrialRecord record = trials.find(MessageIds.searchTrialId(jobId, n)).orElseThrow();
            assertThat(record.state()).isEqualTo(TrialState.PROPOSED);
            // The re-created configuration is the one the uninterrupted study would have proposed.
            assertThat(record.config()).isEqualTo(sampler.suggest(space, List.of(), n));
        }
        assertThat(studies.find(jobId).orElseThrow().proposed()).isEqualTo(3);

        // Crash 3: a trial record lost; a finished trial whose result was never told. The study then continues.
        redis.del(RedisKeys.trial(MessageIds.searchTrialId(jobId, 3)));
        TrialProposal first = trials.find(MessageIds.searchTrialId(jobId, 1)).orElseThrow().proposal();
        assertThat(trials.complete(MeshClients.evaluated(first))).isEqualTo(TrialStore.CompleteOutcome.APPLIED);
        int published = mesh.proposals(jobId).size();

        StudyService.Recovered again = service.recover(jobId);

        assertThat(again.created()).isEqualTo(1);
        assertThat(again.told()).isEqualTo(1);
        assertThat(again.proposed()).containsExactly(4);
        assertThat(trials.find(MessageIds.searchTrialId(jobId, 3))).isPresent();
        assertThat(studies.observations(jobId)).singleElement().satisfies(o -> assertThat(o.number()).isEqualTo(1));
        await().atMost(DEADLINE).until(() -> mesh.proposedNumbers(jobId).equals(List.of(1, 2, 3, 4)));
        // Trial 3 re-created, 2 and 3 re-published as they still wait for a worker, 4 new.
        await().atMost(DEADLINE).until(() -> mesh.proposals(jobId).size() >= published + 3);
    }

    @Test
    void aCrashBetweenTellAndFillIsRepairedByTheRedeliveredResult() {
        String jobId = MeshClients.newJobId("tellcrash");
        mesh.start(jobId, MeshClients.spec(3, 1, 13));
        await().atMost(DEADLINE).until(() -> mesh.proposedNumbers(jobId).size() == 1);
        TrialProposal first = mesh.proposals(jobId).get(0);
        TrialResult result = MeshClients.evaluated(first);

        // What the handler did before dying: completed the trial and told the study, but proposed nothing.
        trials.complete(result);
        TrialRecord record = trials.find(first.trialId()).orElseThrow();
        studies.tell(jobId, new Observation(1, first.trialId(), record.config(), 0.5, record.state()));
        assertThat(mesh.proposedNumbers(jobId)).containsExactly(1);

        // Kafka redelivers the unacknowledged result.
        mesh.sendResult(result);

        await().atMost(DEADLINE).until(() -> mesh.proposedNumbers(jobId).equals(List.of(1, 2)));
        assertThat(studies.find(jobId).orElseThrow().told()).isEqualTo(1);
        assertThat(studies.observations(jobId)).hasSize(1);
    }

    @Test
    void recoveryLeavesClosedStudiesAlone() {
        String jobId = MeshClients.newJobId("closed");
        JobSpec spec = MeshClients.spec(2, 2, 3);
        studies.create(jobId, "random", 3, 2, 2, space(spec), spec);
        assertThat(studies.reserveTrialNumbers(jobId)).containsExactly(1, 2);
        studies.cancel(jobId);

        StudyService.Recovered r = service.recover(jobId);

        assertThat(r.changedAnything()).isFalse();
        assertThat(trials.find(MessageIds.searchTrialId(jobId, 1))).isEmpty();
        assertThat(studies.find(jobId).orElseThrow().state()).isEqualTo(StudyRecord.State.CANCELLED);
    }

    @Test
    void theSameSeedProposesTheSameConfigurationsAndAnotherSeedDoesNot() {
        String a = MeshClients.newJobId("seed7a");
        String b = MeshClients.newJobId("seed7b");
        String c = MeshClients.newJobId("seed8");
        mesh.start(a, MeshClients.spec(3, 3, 7));
        mesh.start(b, MeshClients.spec(3, 3, 7));
        mesh.start(c, MeshClients.spec(3, 3, 8));

        await().atMost(DEADLINE).until(() -> mesh.proposedNumbers(a).size() == 3
                && mesh.proposedNumbers(b).size() == 3 && mesh.proposedNumbers(c).size() == 3);
        for (int n = 1; n <= 3; n++) {
            Map<String, Object> configA = configOf(a, n);
            assertThat(configOf(b, n)).isEqualTo(configA);
            assertThat(configOf(c, n)).isNotEqualTo(configA);
            // ...and it is the seed's stream for that trial number, whatever happened before in this process.
            assertThat(configA).isEqualTo(new RandomSampler(7).suggest(space(MeshClients.spec(3, 3, 7)), List.of(), n));
        }
        assertThat(configOf(a, 1)).isNotEqualTo(configOf(a, 2));
    }

    private Map<String, Object> configOf(String jobId, int number) {
        return mesh.proposals(jobId).stream().filter(p -> p.trialNumber() == number).findFirst().orElseThrow()
                .config();
    }

    private static SearchSpace space(JobSpec spec) {
        return LearnerCatalog.standard().get(spec.compression().learner()).searchSpace(spec);
    }
}
