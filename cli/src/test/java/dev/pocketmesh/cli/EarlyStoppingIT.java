package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialProgress;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.SimulatedLearner;
import dev.pocketmesh.state.JobRecord;
import dev.pocketmesh.state.TrialRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * ASHA through the whole mesh: the same simulated search (whose bad configurations show in their first epoch, as
 * the simulated learner's accuracy rises towards its final value in rank order) run with and without early
 * stopping. With it, most bad trials end PRUNED at the first rung and the workers train far fewer epochs.
 */
class EarlyStoppingIT {
    private static final int TRIALS = 18;
    private static final int EPOCHS = 9;
    private final MeshFixture fixture = MeshFixture.get();

    @Test
    void ashaPrunesMostBadTrialsAtTheFirstRungAndSavesWorkerTime() {
        String plain = fixture.submit(job("asha-off", ""));
        String asha = fixture.submit(job("asha-on",
                ", earlyStopping: {type: asha, minEpochs: 1, reductionFactor: 3, graceTrials: 3}"));
        JobRecord plainJob = fixture.awaitCompleted(plain, Duration.ofMinutes(4));
        JobRecord ashaJob = fixture.awaitCompleted(asha, Duration.ofMinutes(4));

        List<TrialRecord> plainTrials = search(plain);
        List<TrialRecord> ashaTrials = search(asha);
        assertThat(plainTrials).hasSize(TRIALS).allMatch(t -> t.state() == TrialState.EVALUATED);
        assertThat(ashaTrials).hasSize(TRIALS).allMatch(t -> t.state() == TrialState.EVALUATED
                || t.state() == TrialState.PRUNED);

        // "Bad" = a final accuracy below the median of the study's configurations (what each would have reached).
        Map<String, Double> finalAccuracy = new HashMap<>();
        ashaTrials.forEach(t -> finalAccuracy.put(t.trialId(), SimulatedLearner.measure(t.config(),
                Map.of("layers", 4), 21, t.number()).get("accuracy")));
        double median = finalAccuracy.values().stream().sorted().toList().get(TRIALS / 2);
        List<TrialRecord> bad = ashaTrials.stream().filter(t -> finalAccuracy.get(t.trialId()) < median).toList();
        long badPrunedAtFirstRung = bad.stream().filter(t -> t.state() == TrialState.PRUNED
                && t.metrics().get("prunedAtEpoch") == 1.0).count();
        assertThat(bad).isNotEmpty();
        assertThat(badPrunedAtFirstRung).as("bad trials pruned after epoch 1, of %d", bad.size())
                .isGreaterThan(bad.size() / 2);
        // Nothing stopped is the job's pick: the best trial ran all its epochs and was measured.
        TrialRecord best = fixture.trials.find(ashaJob.bestTrialId()).orElseThrow();
        assertThat(best.state()).isEqualTo(TrialState.EVALUATED);
        assertThat(plainJob.bestTrialId()).isNotNull();

        // Worker time: epochs actually trained, as the workers reported them, and wall time per trial.
        Map<String, Integer> plainEpochs = epochsTrained(plainTrials);
        Map<String, Integer> ashaEpochs = epochsTrained(ashaTrials);
        int plainTotal = plainEpochs.values().stream().mapToInt(Integer::intValue).sum();
        int ashaTotal = ashaEpochs.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(plainTotal).isEqualTo(TRIALS * EPOCHS);
        assertThat(ashaTotal).as("epochs trained with ASHA vs %d without", plainTotal)
                .isLessThan((int) (0.6 * plainTotal));
        // A stopped trial frees its worker at its next epoch boundary at the latest.
        ashaTrials.stream().filter(t -> t.state() == TrialState.PRUNED).forEach(t -> assertThat(
                ashaEpochs.get(t.trialId())).isLessThanOrEqualTo(t.metrics().get("prunedAtEpoch").intValue() + 1));
        assertThat(busyMillis(ashaTrials)).isLessThan(busyMillis(plainTrials));
        System.out.printf("early stopping: %d of %d trials PRUNED (%d of %d bad ones at the first rung); epochs "
                + "trained %d vs %d; trial time %d ms vs %d ms%n", ashaTrials.stream()
                .filter(t -> t.state() == TrialState.PRUNED).count(), TRIALS, badPrunedAtFirstRung, bad.size(),
                ashaTotal, plainTotal, busyMillis(ashaTrials), busyMillis(plainTrials));
    }

    private static String job(String name, String earlyStopping) {
        return """
                name: %s
                model: {zoo: lenet5}
                dataset: {format: synthetic}
                compression: {learner: simulated, params: {layers: 4, sleepMs: %d}}
                search: {optimizer: random, trials: %d, parallelism: 3, seed: 21%s}
                training: {epochs: %d, finalEpochs: 1}
                """.formatted(name, EPOCHS * 150, TRIALS, earlyStopping, EPOCHS);
    }

    private List<TrialRecord> search(String jobId) {
        return fixture.trials.listForJob(jobId).stream().filter(t -> t.kind() == TrialKind.SEARCH).toList();
    }

    /** Distinct epochs each trial reported on the progress topic (every trained epoch is reported). */
    private Map<String, Integer> epochsTrained(List<TrialRecord> trials) {
        Map<String, Integer> needed = new HashMap<>();
        trials.forEach(t -> needed.put(t.trialId(), t.state() == TrialState.PRUNED
                ? t.metrics().get("prunedAtEpoch").intValue() : EPOCHS));
        Map<String, Set<Integer>> seen = new HashMap<>();
        KafkaClients.readUntil(fixture.mesh.kafkaBootstrap(), Topics.TRIALS_PROGRESS, records -> {
            seen.clear();
            for (ConsumerRecord<String, String> r : records) {
                TrialProgress p = Json.read(r.value(), TrialProgress.class);
                if (needed.containsKey(p.trialId())) {
                    seen.computeIfAbsent(p.trialId(), k -> new HashSet<>()).add(p.epoch());
                }
            }
            return needed.entrySet().stream().allMatch(e -> seen.getOrDefault(e.getKey(), Set.of())
                    .contains(e.getValue()));
        }, Duration.ofSeconds(60));
        Map<String, Integer> counts = new HashMap<>();
        seen.forEach((trial, epochs) -> counts.put(trial, epochs.size()));
        return counts;
    }

    private static long busyMillis(List<TrialRecord> trials) {
        return trials.stream().mapToLong(t -> Duration.between(t.startedAt(), t.finishedAt()).toMillis()).sum();
    }
}
