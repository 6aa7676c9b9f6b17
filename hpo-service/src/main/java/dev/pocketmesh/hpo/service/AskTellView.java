package dev.pocketmesh.hpo.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.Pareto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * An ask/tell study as GET shows it: its definition, every trial, and the best trial (one objective) or the Pareto
 * front (two objectives: the completed trials no other completed trial dominates under the directions).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AskTellView(String id, String name, List<Parameter> space, List<String> directions, String optimizer, long seed,
        List<Trial> trials, Trial best, List<Trial> paretoFront) {

    /** A trial as shown: {@code value} for one objective, {@code values} for two. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Trial(int number, Map<String, Object> params, AskTellTrial.State state, Double value,
            List<Double> values, SortedMap<Integer, Double> intermediate) {
        static Trial of(AskTellTrial t, int objectives) {
            return new Trial(t.number(), t.params(), t.state(), objectives == 1 ? t.value() : null,
                    objectives == 1 ? null : t.values(), t.intermediate());
        }
    }

    public static AskTellView of(AskTellStudy study, List<AskTellTrial> trials) {
        int m = study.objectives();
        List<Trial> shown = trials.stream().map(t -> Trial.of(t, m)).toList();
        List<AskTellTrial> complete = trials.stream()
                .filter(t -> t.state() == AskTellTrial.State.COMPLETE && t.values() != null).toList();
        Trial best = null;
        List<Trial> front = null;
        if (m == 1) {
            AskTellTrial b = null;
            for (AskTellTrial t : complete) {
                // Strictly better only: the earliest trial wins a tie (trials are in number order).
                if (b == null || study.sign(0) * t.values().get(0) > study.sign(0) * b.values().get(0)) {
                    b = t;
                }
            }
            best = b == null ? null : Trial.of(b, m);
        } else {
            front = new ArrayList<>();
            for (AskTellTrial t : paretoFront(study, complete)) {
                front.add(Trial.of(t, m));
            }
        }
        return new AskTellView(study.id(), study.name(), study.space().parameters(), study.directions(),
                study.optimizer(), study.seed(), shown, best, front);
    }

    /** The non-dominated trials, in number order; trials with equal values do not dominate each other. */
    static List<AskTellTrial> paretoFront(AskTellStudy study, List<AskTellTrial> complete) {
        List<Pareto.Point> points = complete.stream()
                .map(t -> new Pareto.Point(t.number(), AskTellService.oriented(study, t))).toList();
        java.util.Set<Integer> front = new java.util.HashSet<>();
        Pareto.front(points).forEach(p -> front.add(p.number()));
        return complete.stream().filter(t -> front.contains(t.number())).toList();
    }
}
