package dev.pocketmesh.search;

import dev.pocketmesh.contracts.TrialState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in measurements, not assertions: {@code -Dgp.timing=true} prints the time per suggestion with 200
 * observations and the best-found regret of GP and random on the benchmark functions.
 */
@EnabledIfSystemProperty(named = "gp.timing", matches = "true")
class GpSamplerTimingTest {

    @Test
    void timePerSuggestionWith200Observations() {
        for (BenchmarkFunctions.Function f : List.of(BenchmarkFunctions.hartmann6(), BenchmarkFunctions.branin())) {
            RandomSampler random = new RandomSampler(99);
            List<Observation> history = new ArrayList<>();
            for (int n = 0; n < 200; n++) {
                Map<String, Object> c = random.suggest(f.space(), history, n);
                history.add(new Observation(n, "t" + n, c, -f.valueAt(c), TrialState.EVALUATED));
            }
            double[][] xs = new double[200][];
            double[] ys = new double[200];
            UnitCubeEncoding enc = new UnitCubeEncoding(f.space());
            for (int i = 0; i < 200; i++) {
                xs[i] = enc.encode(history.get(i).config());
                ys[i] = history.get(i).value();
            }
            double mean = Arrays.stream(ys).average().orElse(0);
            double sd = Math.sqrt(Arrays.stream(ys).map(v -> (v - mean) * (v - mean)).average().orElse(1));
            for (int i = 0; i < 200; i++) {
                ys[i] = (ys[i] - mean) / sd;
            }
            double[] th = new double[enc.dimensions() + 2];
            double[] gr = new double[th.length];
            for (int i = 0; i < 20; i++) {
                GaussianProcess.logMarginalLikelihood(xs, ys, th, gr);
            }
            long l0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                GaussianProcess.logMarginalLikelihood(xs, ys, th, gr);
            }
            long l1 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                GaussianProcess.logMarginalLikelihood(xs, ys, th, null);
            }
            long l2 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                GpSampler.fitHyperparameters(xs, ys, new java.util.SplittableRandom(i));
            }
            long l3 = System.nanoTime();
            System.out.printf("TIMING n=200: lml+grad %.2f ms, lml %.2f ms, hyper-parameter fit (on <= 100 points) %.1f ms%n", (l1 - l0) / 20e6, (l2 - l1) / 20e6,
                    (l3 - l2) / 5e6);
            GpSampler gp = new GpSampler(7);
            measure(f.name() + " n=200", gp, f.space(), history);
        }
    }

    /** Wall and thread-CPU time of 100 suggestions after 5 warm-up calls; CPU time leaves out other load. */
    private static void measure(String label, GpSampler gp, SearchSpace space, List<Observation> history) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 5; i++) {
            gp.suggest(space, history, 1000 + i);
        }
        int calls = 100;
        double[] wall = new double[calls];
        double[] cpu = new double[calls];
        for (int i = 0; i < calls; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            gp.suggest(space, history, history.size() + i);
            wall[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("TIMING %s: wall p50 %.1f p90 %.1f p99 %.1f max %.1f ms; cpu p50 %.1f p90 %.1f p99 %.1f"
                + " max %.1f ms%n", label, wall[50], wall[90], wall[98], wall[99], cpu[50], cpu[90], cpu[98], cpu[99]);
    }

    @Test
    void timePerSuggestionOnAMixedSpaceWith200ObservationsAnd8Pending() {
        SearchSpace space = new SearchSpace(List.of(
                new Parameter.FloatParameter("lr", 1e-4, 1e-1, true),
                new Parameter.FloatParameter("ratio", 0.25, 1.0, false),
                new Parameter.IntParameter("bits", 2, 8),
                new Parameter.CategoricalParameter("criterion", List.of("l1", "l2", "bn"))));
        RandomSampler random = new RandomSampler(5);
        List<Observation> history = new ArrayList<>();
        for (int n = 0; n < 208; n++) {
            Map<String, Object> c = random.suggest(space, history, n);
            double v = -Math.abs(Math.log10((Double) c.get("lr")) + 3) - (Double) c.get("ratio")
                    + ((Integer) c.get("bits")) * 0.1 + ("l2".equals(c.get("criterion")) ? 0.5 : 0);
            history.add(n < 200 ? new Observation(n, "t" + n, c, v, TrialState.EVALUATED)
                    : new Observation(n, "t" + n, c, null, TrialState.RUNNING));
        }
        GpSampler gp = new GpSampler(3);
        measure("mixed 4 params n=200+8 pending", gp, space, history);
    }

    @Test
    void regretsOnBenchmarks() {
        for (BenchmarkFunctions.Function f : BenchmarkFunctions.all()) {
            int budget = f.name().equals("branin") ? 40 : 50;
            double gp = 0;
            double rnd = 0;
            StringBuilder per = new StringBuilder();
            long t0 = System.nanoTime();
            for (long seed = 1; seed <= 5; seed++) {
                double g = GpSamplerTest.bestRegret(new GpSampler(seed), f, budget);
                double r = GpSamplerTest.bestRegret(new RandomSampler(seed), f, budget);
                gp += g / 5;
                rnd += r / 5;
                per.append(String.format(" [seed %d: gp %.4g random %.4g]", seed, g, r));
            }
            System.out.printf("REGRET %s budget %d: gp mean %.4g, random mean %.4g (%.1f s)%s%n", f.name(), budget,
                    gp, rnd, (System.nanoTime() - t0) / 1e9, per);
        }
    }
}
