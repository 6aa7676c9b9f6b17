package dev.pocketmesh.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Gaussian-process Bayesian optimisation (maximising {@link Observation#value}).
 *
 * <ul>
 *   <li>Encoding: every parameter to [0, 1] ({@link UnitCubeEncoding}: log floats in log space, ints continuous
 *       and rounded, categoricals one-hot); observed values standardised to mean 0, sd 1.</li>
 *   <li>Surrogate: Matern 5/2 ARD kernel, signal variance and Gaussian noise, their logs fitted by maximising the
 *       log marginal likelihood plus weak log-normal priors, with analytic gradients and a bounded L-BFGS from
 *       the best of a default and eight seeded random starts (three runs up to 60 observations, two beyond).
 *       Beyond 100 observations the fit uses the 30 best and a seeded sample of 70 others (the posterior still
 *       conditions on all), which keeps a suggestion with 200 observations near 100-200 ms of CPU time.
 *       Refitted on every call, so the result depends only on (seed, history, trial number).</li>
 *   <li>Acquisition: expected improvement over the best observed value, maximised over a few thousand seeded
 *       uniform, shifted-Halton and local-perturbation candidates, then a pattern search from the best few.
 *       Candidates are snapped to the values a configuration can take before scoring, so ints and categoricals
 *       are scored as what they will be.</li>
 *   <li>Parallel workers: pending trials (no value yet, not terminal) enter the conditioning data with a
 *       constant lie, the mean of the observed values. Their posterior variance collapses and their mean sits
 *       below the incumbent, so expected improvement near them vanishes and a batch spreads out. Lies are not
 *       used to fit the hyper-parameters.</li>
 *   <li>Failed or pruned trials without a value enter the conditioning data (not the hyper-parameter fit) at the
 *       worst observed value: a configuration that crashed must not be proposed again and again, which is what
 *       would happen if it were simply ignored.</li>
 *   <li>Startup: until {@code nStartup} trials have values, the sampler returns {@link RandomSampler}'s draw for
 *       the same seed and number.</li>
 * </ul>
 */
public final class GpSampler implements Sampler {
    private static final double LOG_MIN_LENGTH = Math.log(0.01);
    private static final double LOG_MAX_LENGTH = Math.log(10);
    private static final double LOG_MIN_SIGNAL = Math.log(0.05);
    private static final double LOG_MAX_SIGNAL = Math.log(20);
    private static final double LOG_MIN_NOISE = Math.log(1e-6);
    private static final double LOG_MAX_NOISE = Math.log(1);
    /** Weak log-normal priors: length-scale median 0.5 of the cube, signal variance median 1, noise median 1e-3. */
    private static final double PRIOR_LOG_LENGTH = Math.log(0.5);
    private static final double PRIOR_SD_LOG_LENGTH = 1.5;
    private static final double PRIOR_SD_LOG_SIGNAL = 1.0;
    private static final double PRIOR_LOG_NOISE = Math.log(1e-3);
    private static final double PRIOR_SD_LOG_NOISE = 3.0;
    /** Expected-improvement margin, in standardised units. */
    private static final double XI = 0.01;

    private static final int UNIFORM_CANDIDATES = 1000;
    private static final int HALTON_CANDIDATES = 1000;
    private static final int TOP_OBSERVED = 5;
    private static final int PERTURBATIONS_PER_POINT = 60;
    private static final int REFINED_STARTS = 3;
    private static final int SCREENED_STARTS = 8;
    /** Hyper-parameters are fitted on at most this many observations ... */
    private static final int MAX_FIT_POINTS = 100;
    /** ... of which these are the best ones. */
    private static final int FIT_BEST_POINTS = 30;

    private final long seed;
    private final int nStartup;
    private final RandomSampler startupSampler;

    /** With the default number of random startup trials, {@code max(5, parameters + 1)}. */
    public GpSampler(long seed) {
        this(seed, 0);
    }

    /** {@code nStartup <= 0} means the default, {@code max(5, parameters + 1)}. */
    public GpSampler(long seed, int nStartup) {
        this.seed = seed;
        this.nStartup = nStartup;
        this.startupSampler = new RandomSampler(seed);
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, List<Observation> history, int trialNumber) {
        if (space.parameters().isEmpty()) {
            return new LinkedHashMap<>();
        }
        List<Observation> trials = history == null ? List.of() : history;
        UnitCubeEncoding encoding = new UnitCubeEncoding(space);
        List<double[]> observedX = new ArrayList<>();
        List<Double> observedY = new ArrayList<>();
        List<double[]> failedX = new ArrayList<>();
        List<double[]> pendingX = new ArrayList<>();
        Set<Map<String, Object>> taken = new HashSet<>();
        for (Observation o : trials) {
            if (o.number() == trialNumber) {
                // The trial being proposed, already recorded (a restarted service asking again): the first
                // answer was computed without it, so leave it out to give the same answer.
                continue;
            }
            double[] u = encoding.encode(space.filled(o.config()));
            if (u == null) {
                continue;
            }
            taken.add(encoding.decode(u));
            boolean terminal = o.state() == null || o.state().isTerminal();
            if (o.value() != null && Double.isFinite(o.value())) {
                if (terminal) {
                    observedX.add(u);
                    observedY.add(o.value());
                } else {
                    pendingX.add(u);
                }
            } else if (terminal) {
                failedX.add(u);
            } else {
                pendingX.add(u);
            }
        }
        int startup = nStartup > 0 ? nStartup : Math.max(5, space.parameters().size() + 1);
        if (observedX.size() < startup) {
            return startupSampler.suggest(space, trials, trialNumber);
        }

        SplittableRandom random = RandomSampler.streamFor(seed, trialNumber);
        double[][] x = observedX.toArray(new double[0][]);
        double[] y = standardise(observedY);
        double worst = Arrays.stream(y).min().orElse(0);
        double best = Arrays.stream(y).max().orElse(0);

        double[] theta = fitHyperparameters(x, y, random.split());
        int d = encoding.dimensions();
        MaternKernel kernel = MaternKernel.fromLog(theta, d);
        double noise = Math.exp(theta[d + 1]);

        // Conditioning data: observations, then failures at the worst value, then pending trials at the mean (0).
        int n = x.length + failedX.size() + pendingX.size();
        double[][] allX = new double[n][];
        double[] allY = new double[n];
        int i = 0;
        for (int k = 0; k < x.length; k++, i++) {
            allX[i] = x[k];
            allY[i] = y[k];
        }
        for (double[] u : failedX) {
            allX[i] = u;
            allY[i++] = worst;
        }
        for (double[] u : pendingX) {
            allX[i] = u;
            allY[i++] = 0;
        }
        GaussianProcess gp = GaussianProcess.condition(allX, allY, kernel, noise);
        Acquisition acquisition = new Acquisition(gp, best + XI);

        List<double[]> ranked = maximise(acquisition, encoding, space, x, y, random.split());
        for (double[] u : ranked) {
            Map<String, Object> config = encoding.decode(u);
            if (!taken.contains(config)) {
                return config;
            }
        }
        // Every candidate is a configuration already tried (an exhausted discrete space): fall back to random.
        return startupSampler.suggest(space, trials, trialNumber);
    }

    private static double[] standardise(List<Double> values) {
        int n = values.size();
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= n;
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(var / n);
        if (!(sd > 1e-12)) {
            sd = 1;
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = (values.get(i) - mean) / sd;
        }
        return y;
    }

    /** Maximum a posteriori log hyper-parameters {@code [log l_1..log l_D, log s2, log noise]}. */
    static double[] fitHyperparameters(double[][] allX, double[] allY, SplittableRandom random) {
        double[][] x = allX;
        double[] y = allY;
        if (allX.length > MAX_FIT_POINTS) {
            // Each likelihood evaluation costs O(n^3): fit on the best points (where the acquisition will look)
            // plus a seeded random sample of the others, and condition on all of them afterwards.
            int[] subset = fitSubset(allY, random);
            x = new double[subset.length][];
            y = new double[subset.length];
            for (int i = 0; i < subset.length; i++) {
                x[i] = allX[subset[i]];
                y[i] = allY[subset[i]];
            }
        }
        int d = x[0].length;
        int m = d + 2;
        double[] lower = new double[m];
        double[] upper = new double[m];
        Arrays.fill(lower, 0, d, LOG_MIN_LENGTH);
        Arrays.fill(upper, 0, d, LOG_MAX_LENGTH);
        lower[d] = LOG_MIN_SIGNAL;
        upper[d] = LOG_MAX_SIGNAL;
        lower[d + 1] = LOG_MIN_NOISE;
        upper[d + 1] = LOG_MAX_NOISE;
        GaussianProcess.Likelihood likelihood = new GaussianProcess.Likelihood(x, y);
        BoundedLbfgs.Objective objective = (theta, gradient) -> {
            double lml = likelihood.value(theta, gradient);
            if (!Double.isFinite(lml)) {
                return Double.POSITIVE_INFINITY;
            }
            double value = lml + logPrior(theta, d, gradient);
            for (int k = 0; k < m; k++) {
                gradient[k] = -gradient[k];
            }
            return -value;
        };
        // Screen a default and a few seeded random starts by their value alone (one Cholesky each), then run
        // L-BFGS from the best of them: fewer runs as the data grows, since each evaluation costs O(n^3).
        List<double[]> starts = new ArrayList<>();
        double[] standard = new double[m];
        Arrays.fill(standard, 0, d, PRIOR_LOG_LENGTH);
        standard[d] = 0;
        standard[d + 1] = PRIOR_LOG_NOISE;
        starts.add(standard);
        for (int r = 0; r < SCREENED_STARTS; r++) {
            double[] s = new double[m];
            for (int k = 0; k < d; k++) {
                s[k] = Math.log(0.05) + random.nextDouble() * (Math.log(2) - Math.log(0.05));
            }
            s[d] = Math.log(0.5) + random.nextDouble() * Math.log(4);
            s[d + 1] = Math.log(1e-5) + random.nextDouble() * (Math.log(1e-2) - Math.log(1e-5));
            starts.add(s);
        }
        double[] screened = new double[starts.size()];
        double[] scratch = new double[m];
        for (int s = 0; s < starts.size(); s++) {
            double lml = likelihood.value(starts.get(s), null);
            screened[s] = Double.isFinite(lml) ? -(lml + logPrior(starts.get(s), d, scratch)) : Double.POSITIVE_INFINITY;
        }
        Integer[] order = new Integer[starts.size()];
        for (int s = 0; s < order.length; s++) {
            order[s] = s;
        }
        Arrays.sort(order, (a, b) -> Double.compare(screened[a], screened[b]));
        int runs = x.length <= 60 ? 3 : 2;
        int iterations = 40;
        double[] bestTheta = standard;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int r = 0; r < runs; r++) {
            BoundedLbfgs.Result result = BoundedLbfgs.minimise(objective, starts.get(order[r]), lower, upper, iterations);
            if (result.value() < bestValue) {
                bestValue = result.value();
                bestTheta = result.x();
            }
        }
        return bestTheta;
    }

    /** Indices of the {@link #FIT_BEST_POINTS} best values and a seeded random sample of the rest, sorted. */
    private static int[] fitSubset(double[] y, SplittableRandom random) {
        Integer[] order = new Integer[y.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(y[b], y[a]));
        int[] rest = new int[y.length - FIT_BEST_POINTS];
        for (int i = 0; i < rest.length; i++) {
            rest[i] = order[FIT_BEST_POINTS + i];
        }
        // Partial Fisher-Yates shuffle of the rest.
        int sampled = MAX_FIT_POINTS - FIT_BEST_POINTS;
        for (int i = 0; i < sampled; i++) {
            int j = i + random.nextInt(rest.length - i);
            int t = rest[i];
            rest[i] = rest[j];
            rest[j] = t;
        }
        int[] subset = new int[MAX_FIT_POINTS];
        for (int i = 0; i < FIT_BEST_POINTS; i++) {
            subset[i] = order[i];
        }
        System.arraycopy(rest, 0, subset, FIT_BEST_POINTS, sampled);
        Arrays.sort(subset);
        return subset;
    }

    /** Log density of the weak priors (up to a constant), its gradient added into {@code gradient}. */
    static double logPrior(double[] theta, int d, double[] gradient) {
        double lp = 0;
        for (int k = 0; k < d; k++) {
            double z = (theta[k] - PRIOR_LOG_LENGTH) / PRIOR_SD_LOG_LENGTH;
            lp -= 0.5 * z * z;
            gradient[k] -= z / PRIOR_SD_LOG_LENGTH;
        }
        double zs = theta[d] / PRIOR_SD_LOG_SIGNAL;
        lp -= 0.5 * zs * zs;
        gradient[d] -= zs / PRIOR_SD_LOG_SIGNAL;
        double zn = (theta[d + 1] - PRIOR_LOG_NOISE) / PRIOR_SD_LOG_NOISE;
        lp -= 0.5 * zn * zn;
        gradient[d + 1] -= zn / PRIOR_SD_LOG_NOISE;
        return lp;
    }

    /**
     * Candidate points ranked by expected improvement, best first: scored random, shifted-Halton and perturbed
     * points, then the best few refined by a pattern search.
     */
    private static List<double[]> maximise(Acquisition acquisition, UnitCubeEncoding encoding, SearchSpace space,
                                           double[][] x, double[] y, SplittableRandom random) {
        int d = encoding.dimensions();
        List<double[]> candidates = new ArrayList<>();
        for (int c = 0; c < UNIFORM_CANDIDATES; c++) {
            double[] u = new double[d];
            for (int k = 0; k < d; k++) {
                u[k] = random.nextDouble();
            }
            candidates.add(u);
        }
        candidates.addAll(ShiftedHalton.points(HALTON_CANDIDATES, d, random));
        Integer[] order = new Integer[y.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Double.compare(y[b], y[a]));
        for (int t = 0; t < Math.min(TOP_OBSERVED, order.length); t++) {
            double[] centre = x[order[t]];
            for (int p = 0; p < PERTURBATIONS_PER_POINT; p++) {
                double scale = p % 2 == 0 ? 0.02 : 0.1;
                double[] u = centre.clone();
                for (int k = 0; k < d; k++) {
                    u[k] += scale * random.nextGaussian();
                }
                candidates.add(u);
            }
        }
        int count = candidates.size();
        double[] scores = new double[count];
        for (int c = 0; c < count; c++) {
            double[] u = candidates.get(c);
            encoding.snap(u);
            scores[c] = acquisition.value(u);
        }
        Integer[] ranking = new Integer[count];
        for (int c = 0; c < count; c++) {
            ranking[c] = c;
        }
        Arrays.sort(ranking, (a, b) -> Double.compare(scores[b], scores[a]));

        List<double[]> refined = new ArrayList<>();
        List<Double> refinedScores = new ArrayList<>();
        for (int r = 0; r < Math.min(REFINED_STARTS, count); r++) {
            double[] start = candidates.get(ranking[r]).clone();
            double[] end = patternSearch(acquisition, encoding, space, start, scores[ranking[r]]);
            refined.add(end);
            refinedScores.add(acquisition.value(end));
        }
        Integer[] refinedOrder = new Integer[refined.size()];
        for (int r = 0; r < refinedOrder.length; r++) {
            refinedOrder[r] = r;
        }
        Arrays.sort(refinedOrder, (a, b) -> Double.compare(refinedScores.get(b), refinedScores.get(a)));
        List<double[]> result = new ArrayList<>();
        for (int r : refinedOrder) {
            result.add(refined.get(r));
        }
        // Then every scored candidate, in case the refined points are configurations already tried.
        for (int c = 0; c < count; c++) {
            result.add(candidates.get(ranking[c]));
        }
        return result;
    }

    /**
     * Coordinate pattern search: try a step up and down each numeric coordinate (at least one grid cell for ints)
     * and every other choice of each categorical, keep any improvement, halve the step when none helps.
     */
    private static double[] patternSearch(Acquisition acquisition, UnitCubeEncoding encoding, SearchSpace space,
                                          double[] start, double startScore) {
        int[][] blocks = encoding.blocks();
        double[] point = start;
        double score = startScore;
        double step = 0.05;
        for (int iteration = 0; iteration < 40 && step >= 1e-3; iteration++) {
            boolean improved = false;
            for (int p = 0; p < blocks.length; p++) {
                int offset = blocks[p][0];
                int width = blocks[p][1];
                if (encoding.isCategorical(p)) {
                    for (int choice = 0; choice < width; choice++) {
                        if (point[offset + choice] == 1) {
                            continue;
                        }
                        double[] trial = point.clone();
                        Arrays.fill(trial, offset, offset + width, 0);
                        trial[offset + choice] = 1;
                        double s = acquisition.value(trial);
                        if (s > score) {
                            point = trial;
                            score = s;
                            improved = true;
                        }
                    }
                    continue;
                }
                double move = step;
                if (space.parameters().get(p) instanceof Parameter.IntParameter ip && ip.high() > ip.low()) {
                    move = Math.max(step, 1.0 / (ip.high() - ip.low()));
                }
                for (int sign = -1; sign <= 1; sign += 2) {
                    double[] trial = point.clone();
                    trial[offset] += sign * move;
                    encoding.snap(trial);
                    if (trial[offset] == point[offset]) {
                        continue;
                    }
                    double s = acquisition.value(trial);
                    if (s > score) {
                        point = trial;
                        score = s;
                        improved = true;
                    }
                }
            }
            if (!improved) {
                step *= 0.5;
            }
        }
        return point;
    }

    /** Expected improvement over a threshold under the posterior; falls back to the posterior sd if EI underflows. */
    static final class Acquisition {
        private final GaussianProcess gp;
        private final double threshold;
        private final double[] work;
        private final double[] moments = new double[2];

        Acquisition(GaussianProcess gp, double threshold) {
            this.gp = gp;
            this.threshold = threshold;
            this.work = new double[gp.size()];
        }

        double value(double[] u) {
            gp.predict(u, work, moments);
            double sd = Math.sqrt(moments[1]);
            double ei = expectedImprovement(moments[0] - threshold, sd);
            // Where EI underflows to 0 everywhere, a tiny term in the sd still ranks points by uncertainty.
            return ei + 1e-300 * sd;
        }
    }

    /** E[max(f - threshold, 0)] for f ~ N(mean, sd^2), given {@code gap = mean - threshold}. */
    static double expectedImprovement(double gap, double sd) {
        if (!(sd > 0)) {
            return Math.max(gap, 0);
        }
        double z = gap / sd;
        // For z far below 0 the two terms nearly cancel; rounding must not make the result negative.
        return Math.max(0, gap * normalCdf(z) + sd * normalPdf(z));
    }

    static double normalPdf(double z) {
        return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    }

    static double normalCdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /**
     * Complementary error function from the Chebyshev-fitted form {@code t exp(-z^2 + P(t))},
     * {@code t = 1 / (1 + z/2)}, relative error below 1.2e-7 everywhere (Numerical Recipes' erfcc).
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277))))))));
        double r = t * Math.exp(poly);
        return x >= 0 ? r : 2 - r;
    }
}
