package dev.pocketmesh.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.SearchSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StudyStoreTest {
    private final StudyStore store = new StudyStore(RealRedis.client());
    private final String jobId = "job-" + UUID.randomUUID().toString().substring(0, 8);
    private final SearchSpace space = new SearchSpace(List.of(new Parameter.FloatParameter("x", 0, 1, false)));

    @Test
    void handsOutNumbersWithinParallelismAndBudgetAndCompletesOnce() {
        assertThat(store.create(jobId, "random", 1, 5, 2, space, null)).isTrue();
        assertThat(store.create(jobId, "random", 1, 5, 2, space, null)).isFalse();
        assertThat(store.reserveTrialNumbers(jobId)).containsExactly(1, 2);
        assertThat(store.reserveTrialNumbers(jobId)).isEmpty();

        List<Integer> proposed = new ArrayList<>(List.of(1, 2));
        int told = 0;
        while (told < 5) {
            int n = proposed.get(told);
            StudyStore.Told t = store.tell(jobId, new Observation(n, jobId + "-" + n, Map.of(), 0.5, TrialState.EVALUATED));
            assertThat(t.applied()).isTrue();
            // A redelivered result is told once.
            assertThat(store.tell(jobId, new Observation(n, jobId + "-" + n, Map.of(), 0.5, TrialState.EVALUATED))
                    .applied()).isFalse();
            told++;
            assertThat(t.studyCompleted()).isEqualTo(told == 5);
            proposed.addAll(store.reserveTrialNumbers(jobId));
        }
        assertThat(proposed).containsExactly(1, 2, 3, 4, 5);
        assertThat(store.observations(jobId)).hasSize(5);
        StudyRecord study = store.find(jobId).orElseThrow();
        assertThat(study.state()).isEqualTo(StudyRecord.State.COMPLETED);
        assertThat(study.proposed()).isEqualTo(5);
        assertThat(store.openStudies()).doesNotContain(jobId);
    }

    @Test
    void aCancelledStudyProposesNothing() {
        store.create(jobId, "random", 1, 5, 2, space, null);
        assertThat(store.cancel(jobId)).isTrue();
        assertThat(store.reserveTrialNumbers(jobId)).isEmpty();
        assertThat(store.cancel("job-none")).isFalse();
    }
}
