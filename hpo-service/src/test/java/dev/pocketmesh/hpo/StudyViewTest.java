package dev.pocketmesh.hpo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.hpo.service.StudyView;
import dev.pocketmesh.search.Observation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StudyViewTest {
    @Test
    void bestIgnoresFailedTrialsAndPrefersTheEarliestOnATie() {
        List<Observation> observations = List.of(
                new Observation(1, "t1", Map.of(), 0.5, TrialState.EVALUATED),
                new Observation(2, "t2", Map.of(), null, TrialState.FAILED),
                new Observation(3, "t3", Map.of(), 0.8, TrialState.EVALUATED),
                new Observation(4, "t4", Map.of(), 0.8, TrialState.EVALUATED),
                new Observation(5, "t5", Map.of(), -0.1, TrialState.EVALUATED));

        assertThat(StudyView.best(observations).trialId()).isEqualTo("t3");
        assertThat(StudyView.best(List.of(observations.get(1)))).isNull();
        assertThat(StudyView.best(List.of())).isNull();
    }
}
