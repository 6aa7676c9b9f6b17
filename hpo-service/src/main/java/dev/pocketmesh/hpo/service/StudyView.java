package dev.pocketmesh.hpo.service;

import dev.pocketmesh.search.Objective;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.state.StudyRecord;
import java.util.List;
import java.util.Objects;

/** A study as the REST API shows it: the stored record, what the optimiser has been told, and the best so far. */
public record StudyView(StudyRecord study, long inFlight, List<Observation> observations, Observation best) {

    public static StudyView of(StudyRecord study, List<Observation> observations) {
        return new StudyView(study, study.inFlight(), observations, best(observations));
    }

    /** The observation with the highest objective value (failed trials have none); the earliest wins a tie. */
    public static Observation best(List<Observation> observations) {
        return Objective.best(observations, Observation::value, Observation::number).orElse(null);
    }

    public String bestValueText() {
        return best == null ? "none" : String.format(java.util.Locale.ROOT, "%.4f", Objects.requireNonNull(best.value()));
    }
}
