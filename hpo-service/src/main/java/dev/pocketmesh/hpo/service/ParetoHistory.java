package dev.pocketmesh.hpo.service;

import dev.pocketmesh.search.Objective;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.Pareto;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a job with {@code objective: pareto} shows its sampler: each finished trial's (accuracy under the targets,
 * −cost) scalarised by ParEGO with the weights of the trial being proposed, as the ask/tell API does for two
 * objectives. The study's stored observations stay single-valued; only the proposal sees this view. A trial whose
 * metrics lack the cost (failed, stopped early) reaches the sampler without a value.
 */
final class ParetoHistory {
    private ParetoHistory() {
    }

    static List<Observation> scalarised(List<Observation> history, Map<String, Map<String, Double>> metricsByTrial,
            JobSpec spec, long seed, int trialNumber) {
        String cost = spec.search().pareto().cost();
        List<Pareto.Point> points = new ArrayList<>();
        for (Observation o : history) {
            Map<String, Double> m = metricsByTrial.get(o.trialId());
            Double accuracy = m == null ? null : Objective.value(m, spec.compression().target());
            if (accuracy != null && m.get(cost) != null && o.state() != null && o.state().isTerminal()) {
                points.add(new Pareto.Point(o.number(), new double[] {accuracy, -m.get(cost)}));
            }
        }
        Map<Integer, Double> scalar = Pareto.parEgo(points, Pareto.parEgoWeights(seed, trialNumber, 2));
        List<Observation> view = new ArrayList<>(history.size());
        for (Observation o : history) {
            Double value = o.state() != null && o.state().isTerminal() ? scalar.get(o.number()) : o.value();
            view.add(new Observation(o.number(), o.trialId(), o.config(), value, o.state()));
        }
        return view;
    }
}
