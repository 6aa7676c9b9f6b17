package dev.pocketmesh.cli.bench;

import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.search.BenchmarkFunctions;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.Sampler;
import dev.pocketmesh.stats.Quantiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The optimisers on the standard test functions of {@link BenchmarkFunctions}: per (function, optimiser, seed) one
 * sequential study (suggest, evaluate, tell the value as an EVALUATED trial) of the largest budget, recording the
 * best-found regret (f(best) - f*) at each budget; reported as median and quartiles over seeds. Alongside, the
 * optimiser's own time per suggestion: p50 and p99 over every suggestion of those studies, and p99 once the history
 * holds at least {@code longTrials - 10} observations, from one extra study of {@code longTrials} trials per
 * optimiser on Hartmann-6, run last (JIT warm) with each of its final ten suggestions timed {@code LATE_REPEATS}
 * times on the same input.
 */
public final class HpoFunctionsBenchmark {
    /** Repeats of each late suggestion in the long study, so its p99 rests on more than ten samples. */
    static final int LATE_REPEATS = 5;
    /** Brief's targets for the optimiser's own p99 per suggestion with about 200 observations, in ms. */
    static final Map<String, Double> P99_TARGET_MS = Map.of("tpe", 50.0, "gp", 500.0);

    /** Makes the sampler an optimiser name stands for; {@code Optimizers::create} fits. */
    @FunctionalInterface
    public interface SamplerFactory {
        Sampler create(String name, long seed);
    }

    public record Settings(List<String> optimizers, List<Integer> budgets, int seeds, int longTrials) {
    }

    public record Row(String function, String optimizer, int budget, int seeds, double medianRegret,
            double q1Regret, double q3Regret, double meanRegret) {
        String markdownRow() {
            return String.format(Locale.ROOT, "| %s | %s | %d | %s | %s – %s |", function, optimizer, budget,
                    number(medianRegret), number(q1Regret), number(q3Regret));
        }
    }

    public record Timing(String optimizer, int suggestions, double p50Ms, double p99Ms, int lateSuggestions,
            double lateP99Ms, Double lateTargetMs) {
        boolean met() {
            return lateTargetMs == null || lateP99Ms < lateTargetMs;
        }

        String markdownRow() {
            return String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %s |", optimizer, suggestions, p50Ms,
                    p99Ms, lateP99Ms, lateTargetMs == null ? "–" : String.format(Locale.ROOT, "< %.0f: %s",
                            lateTargetMs, met() ? "met" : "MISSED"));
        }
    }

    public record Report(String machine, Settings settings, List<Row> rows, List<Timing> timings) implements BenchReport {
        @Override
        public String benchmark() {
            return "hpo-functions";
        }

        public boolean targetsMet() {
            return timings.stream().allMatch(Timing::met);
        }

        @Override
        public String markdown() {
            StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                    "Best-found regret f(best) - f* after each budget, median and quartiles over %d seeds (lower is "
                            + "better).%n%n| function | optimizer | trials | median regret | quartiles |%n"
                            + "|---|---|---:|---:|---:|%n", settings.seeds()));
            rows.forEach(r -> md.append(r.markdownRow()).append('\n'));
            md.append(String.format(Locale.ROOT, "%nThe optimizer's own time per suggestion (ms): over all suggestions "
                    + "above, and p99 with >= %d observations (one %d-trial study on hartmann6 per optimizer, each of "
                    + "its last suggestions timed %d times).%n%n", settings.longTrials() - 10, settings.longTrials(),
                    LATE_REPEATS));
            md.append("| optimizer | suggestions | p50 | p99 | p99 at >= ").append(settings.longTrials() - 10)
                    .append(" obs | target |\n|---|---:|---:|---:|---:|---|\n");
            timings.forEach(t -> md.append(t.markdownRow()).append('\n'));
            md.append(String.format(Locale.ROOT, "%nMachine: %s.%n", machine));
            return md.toString();
        }

    }

    private final Settings settings;
    private final SamplerFactory samplers;
    private final Consumer<String> log;

    public HpoFunctionsBenchmark(Settings settings, SamplerFactory samplers, Consumer<String> log) {
        if (settings.budgets().isEmpty() || settings.seeds() < 1 || settings.longTrials() < 11) {
            throw new IllegalArgumentException("need budgets, at least one seed and at least 11 long-study trials");
        }
        this.settings = settings;
        this.samplers = samplers;
        this.log = log;
    }

    public Report run() {
        // Fail on an unknown name before any study runs.
        settings.optimizers().forEach(name -> samplers.create(name, 0));
        List<Integer> budgets = settings.budgets().stream().sorted().distinct().toList();
        int maxBudget = budgets.get(budgets.size() - 1);
        List<Row> rows = new ArrayList<>();
        List<Timing> timings = new ArrayList<>();
        Map<String, List<Long>> nanos = new java.util.LinkedHashMap<>();
        settings.optimizers().forEach(name -> nanos.put(name, new ArrayList<>()));
        for (BenchmarkFunctions.Function f : BenchmarkFunctions.all()) {
            for (String name : settings.optimizers()) {
                double[][] regrets = new double[budgets.size()][settings.seeds()];
                for (int s = 0; s < settings.seeds(); s++) {
                    long start = System.nanoTime();
                    double[] bestAt = study(samplers.create(name, s), f, maxBudget, nanos.get(name), null);
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-12s %-7s seed %2d:", f.name(),
                            name, s));
                    for (int b = 0; b < budgets.size(); b++) {
                        regrets[b][s] = f.regret(bestAt[budgets.get(b) - 1]);
                        line.append(String.format(Locale.ROOT, "  regret@%d %s", budgets.get(b), number(regrets[b][s])));
                    }
                    log.accept(line.append(String.format(Locale.ROOT, "  (%.0f ms)", (System.nanoTime() - start) / 1e6))
                            .toString());
                }
                for (int b = 0; b < budgets.size(); b++) {
                    double[] r = regrets[b].clone();
                    Arrays.sort(r);
                    rows.add(new Row(f.name(), name, budgets.get(b), settings.seeds(), Quantiles.of(r, 0.5),
                            Quantiles.of(r, 0.25), Quantiles.of(r, 0.75), Arrays.stream(r).average().orElse(Double.NaN)));
                }
            }
        }
        BenchmarkFunctions.Function hartmann = BenchmarkFunctions.hartmann6();
        for (String name : settings.optimizers()) {
            List<Long> late = new ArrayList<>();
            study(samplers.create(name, 1_000), hartmann, settings.longTrials(), new ArrayList<>(), late);
            double[] all = nanos.get(name).stream().mapToDouble(Long::doubleValue).sorted().toArray();
            double[] lateSorted = late.stream().mapToDouble(Long::doubleValue).sorted().toArray();
            Timing timing = new Timing(name, all.length, Quantiles.of(all, 0.5) / 1e6, Quantiles.of(all, 0.99) / 1e6,
                    lateSorted.length, Quantiles.of(lateSorted, 0.99) / 1e6, P99_TARGET_MS.get(name));
            log.accept(String.format(Locale.ROOT, "timing %-7s p50 %.3f ms  p99 %.3f ms  p99 at >= %d obs %.3f ms",
                    name, timing.p50Ms(), timing.p99Ms(), settings.longTrials() - 10, timing.lateP99Ms()));
            timings.add(timing);
        }
        return new Report(BenchMachine.describe(), settings, rows, timings);
    }

    /**
     * One sequential study; returns the best f after each trial. Suggestion times go to {@code nanos}; when
     * {@code late} is given, suggestions with at least trials - 10 observations are also timed there, repeated.
     */
    private static double[] study(Sampler sampler, BenchmarkFunctions.Function f, int trials, List<Long> nanos,
            List<Long> late) {
        List<Observation> history = new ArrayList<>();
        double[] bestAt = new double[trials];
        double best = Double.POSITIVE_INFINITY;
        for (int n = 1; n <= trials; n++) {
            boolean timedLate = late != null && history.size() >= trials - 10;
            Map<String, Object> config = null;
            for (int repeat = 0; repeat < (timedLate ? LATE_REPEATS : 1); repeat++) {
                long start = System.nanoTime();
                config = sampler.suggest(f.space(), history, n);
                long elapsed = System.nanoTime() - start;
                nanos.add(elapsed);
                if (timedLate) {
                    late.add(elapsed);
                }
            }
            double value = f.valueAt(config);
            best = Math.min(best, value);
            bestAt[n - 1] = best;
            history.add(new Observation(n, "t" + n, config, -value, TrialState.EVALUATED));
        }
        return bestAt;
    }

    private static String number(double x) {
        return Math.abs(x) >= 100 ? String.format(Locale.ROOT, "%.1f", x) : String.format(Locale.ROOT, "%.4g", x);
    }
}
