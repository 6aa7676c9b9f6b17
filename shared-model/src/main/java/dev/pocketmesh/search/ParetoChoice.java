package dev.pocketmesh.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.state.TrialRecord;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A job's {@code objective: pareto}: its measured candidates as (accuracy, cost) members, the front of those no
 * other beats in both, and the member the job's rule picks as its final model ({@code knee}, or
 * {@code max-accuracy-under} a cost bound). The one rule for the orchestrator's final pick and the report.
 */
public final class ParetoChoice {
    private ParetoChoice() {
    }

    /** A candidate: higher accuracy and lower cost are better. */
    public record Member(String trialId, int number, double accuracy, double cost) {
    }

    /** The front (in trial-number order), the member picked, and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Choice(String cost, String pick, Double bound, List<Member> front, Member picked, String reason) {
    }

    /**
     * The member a trial's metrics make it, if it can be one: it reports the accuracy and the cost and meets every
     * target of the job (targets stay hard constraints under a Pareto objective).
     */
    public static Optional<Member> member(String trialId, int number, Map<String, Double> metrics,
            Map<String, Double> target, String cost) {
        if (metrics == null || metrics.get(Objective.METRIC) == null || metrics.get(cost) == null
                || !Objective.feasible(metrics, target)) {
            return Optional.empty();
        }
        return Optional.of(new Member(trialId, number, metrics.get(Objective.METRIC), metrics.get(cost)));
    }

    /** The front of a job's evaluated search trials that meet its targets, and its rule's pick. */
    public static Optional<Choice> ofTrials(java.util.Collection<TrialRecord> trials, JobSpec spec) {
        JobSpec.Pareto rule = spec.search().pareto();
        List<Member> members = trials.stream()
                .filter(t -> t.kind() == TrialKind.SEARCH && t.state() == TrialState.EVALUATED)
                .flatMap(t -> member(t.trialId(), t.number(), t.metrics(), spec.compression().target(), rule.cost())
                        .stream())
                .toList();
        return choose(members, rule);
    }

    /** The front of {@code candidates} and the rule's pick; empty when there is no candidate. */
    public static Optional<Choice> choose(List<Member> candidates, JobSpec.Pareto rule) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        List<Pareto.Point> points = candidates.stream()
                .map(m -> new Pareto.Point(m.number(), new double[] {m.accuracy(), -m.cost()})).toList();
        List<Pareto.Point> frontPoints = Pareto.front(points);
        List<Member> front = frontPoints.stream().map(p -> byNumber(candidates, p.number()))
                .sorted(java.util.Comparator.comparingInt(Member::number)).toList();
        Member picked;
        String reason;
        if (JobSpec.Pareto.MAX_ACCURACY_UNDER.equals(rule.pick())) {
            Optional<Pareto.Point> within = Pareto.bestAbove(frontPoints, -rule.bound());
            if (within.isPresent()) {
                picked = byNumber(candidates, within.get().number());
                reason = String.format(Locale.ROOT, "the most accurate of the front with %s ≤ %s", rule.cost(),
                        fmt(rule.bound()));
            } else {
                picked = front.stream().min(java.util.Comparator.comparingDouble(Member::cost)).orElseThrow();
                reason = String.format(Locale.ROOT, "no trial has %s ≤ %s; the cheapest of the front instead (%s)",
                        rule.cost(), fmt(rule.bound()), fmt(picked.cost()));
            }
        } else {
            picked = byNumber(candidates, Pareto.knee(frontPoints).orElseThrow().number());
            reason = front.size() < 3 ? "the most accurate of a front of " + front.size()
                    : "the knee of the front: farthest beyond the line joining its most accurate and its cheapest member";
        }
        return Optional.of(new Choice(rule.cost(), rule.pick(), rule.bound(), front, picked, reason));
    }

    private static Member byNumber(List<Member> members, int number) {
        return members.stream().filter(m -> m.number() == number).findFirst().orElseThrow();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.4g", v);
    }
}
