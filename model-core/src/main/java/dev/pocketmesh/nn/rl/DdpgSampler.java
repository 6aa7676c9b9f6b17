package dev.pocketmesh.nn.rl;

import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.RandomSampler;
import dev.pocketmesh.search.Sampler;
import dev.pocketmesh.search.SamplerProvider;
import dev.pocketmesh.search.SearchSpace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code search.optimizer: ddpg}: AMC's reinforcement-learning search (He et al., "AMC: AutoML for Model Compression",
 * 2018) with a DDPG agent ({@link DdpgAgent}), one action per searched parameter. The state is the layers as the
 * learner describes them ({@link SearchSpace#features()}: position, width, share of FLOPs and params, for channel
 * pruning), each action in [0, 1] maps onto its parameter's range, and the trial's value (accuracy under the
 * constraint, which the learner's projection guarantees) is the reward. The first {@link #WARMUP_EPISODES} trials are
 * random (AMC's warm-up); then the actor's actions plus truncated Gaussian noise whose width starts at
 * {@value #NOISE_START} and shrinks by {@code NOISE_DECAY} per trial.
 *
 * <p>Like every sampler it keeps no state that changes results: the agent is a function of the seed and the finished
 * trials in trial-number order. It is rebuilt by replaying them, or, when the last call's agent learned a prefix of
 * them, that agent continues (a cache of a few studies' agents; the same result, faster).
 */
public final class DdpgSampler implements Sampler {
    public static final int WARMUP_EPISODES = 8;
    static final double NOISE_START = 0.3;
    static final double NOISE_DECAY = 0.9;
    private static final int CACHED_AGENTS = 8;
    /** Agents by study (seed and space); DJL's autograd is process-wide, so one agent trains at a time. */
    private static final Map<String, DdpgAgent> AGENTS = new LinkedHashMap<>(16, 0.75f, true);

    private final long seed;

    public DdpgSampler(long seed) {
        this.seed = seed;
    }

    /** Registers the optimiser under its job name. */
    public static final class Provider implements SamplerProvider {
        @Override
        public String name() {
            return "ddpg";
        }

        @Override
        public Sampler create(long seed) {
            return new DdpgSampler(seed);
        }
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, List<Observation> history, int trialNumber) {
        List<Parameter> params = space.parameters();
        if (params.isEmpty()) {
            return new LinkedHashMap<>();
        }
        List<Observation> finished = history.stream()
                .filter(o -> o.number() != trialNumber && o.config() != null && o.value() != null
                        && !o.value().isNaN() && o.state() != null && o.state().isTerminal())
                .sorted(Comparator.comparingInt(Observation::number)).toList();
        if (finished.size() < WARMUP_EPISODES) {
            return new RandomSampler(seed).suggest(space, history, trialNumber);
        }
        Episodes episodes = new Episodes(space);
        double sigma = NOISE_START * Math.pow(NOISE_DECAY, finished.size() - WARMUP_EPISODES);
        SplittableRandom noise = RandomSampler.streamFor(seed, trialNumber);
        synchronized (AGENTS) {
            // Networks this small run fastest on one thread; a pool of spinning threads made them 20x slower on a
            // busy 2-core machine. The setting is process-wide, so it is restored for whoever trains after us.
            int threads = Engines.threads();
            Engines.setThreads(1);
            try {
                double[] actions = trained(space, episodes, finished).act();
                for (int t = 0; t < actions.length; t++) {
                    actions[t] = truncatedGaussian(actions[t], sigma, noise);
                }
                return episodes.config(actions);
            } finally {
                Engines.setThreads(threads);
            }
        }
    }

    /** The agent that learned exactly {@code finished}, in order: a cached one continued, or a new one. */
    private DdpgAgent trained(SearchSpace space, Episodes episodes, List<Observation> finished) {
        String key = seed + "|" + space.hashCode();
        List<Integer> numbers = finished.stream().map(Observation::number).toList();
        List<Double> values = finished.stream().map(Observation::value).toList();
        DdpgAgent agent = AGENTS.get(key);
        if (agent == null || !agent.learnedPrefixOf(numbers, values)) {
            if (agent != null) {
                agent.close();
            }
            agent = new DdpgAgent(seed, episodes.state(), space.parameters().size());
            AGENTS.put(key, agent);
            while (AGENTS.size() > CACHED_AGENTS) {
                String eldest = AGENTS.keySet().iterator().next();
                AGENTS.remove(eldest).close();
            }
        }
        for (int i = agent.episodes(); i < finished.size(); i++) {
            Observation o = finished.get(i);
            agent.learn(o.number(), o.value(), episodes.actions(o.config()));
        }
        return agent;
    }

    /** Forgets every cached agent (tests: the next suggestion replays the history from scratch). */
    static void clearCache() {
        synchronized (AGENTS) {
            AGENTS.values().forEach(DdpgAgent::close);
            AGENTS.clear();
        }
    }

    /** A draw from N(mean, sigma) restricted to [0, 1] (redrawn, then clamped if it keeps falling outside). */
    static double truncatedGaussian(double mean, double sigma, SplittableRandom random) {
        for (int i = 0; i < 16; i++) {
            double u = 1 - random.nextDouble();
            double x = mean + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
            if (x >= 0 && x <= 1) {
                return x;
            }
        }
        return Math.min(1, Math.max(0, mean));
    }

    /** Between the space's values and the agent's actions and states. */
    static final class Episodes {
        private final SearchSpace space;
        private final List<Parameter> params;
        private final int featureSize;

        /**
         * Per-layer ratios a learner projects onto its budget (a space whose parameters it describes, all floats):
         * the projection multiplies them by one factor, so only their proportions are the agent's to choose. The
         * agent then acts on proportions: action t sets ratio t relative to the largest one, which keeps its maximum.
         * Without this, an agent asking "more" of every layer learns nothing: the projection scales it all back.
         */
        private final boolean proportional;

        Episodes(SearchSpace space) {
            this.space = space;
            this.params = space.parameters();
            this.featureSize = space.features().values().stream().mapToInt(List::size).max().orElse(0);
            this.proportional = !space.features().isEmpty()
                    && params.stream().allMatch(p -> p instanceof Parameter.FloatParameter f && !f.log() && f.low() > 0);
        }

        /**
         * The study's state: for each searched parameter in order, its position and the learner's descriptor of it
         * (zeros where there is none).
         */
        float[] state() {
            int width = 1 + featureSize;
            float[] s = new float[params.size() * width];
            for (int t = 0; t < params.size(); t++) {
                s[t * width] = params.size() > 1 ? (float) t / (params.size() - 1) : 0f;
                List<Double> features = space.features().getOrDefault(params.get(t).name(), List.of());
                for (int i = 0; i < features.size() && i < featureSize; i++) {
                    s[t * width + 1 + i] = features.get(i).floatValue();
                }
            }
            return s;
        }

        /** The actions that produce a configuration (conditional parameters that did not apply: placeholders). */
        double[] actions(Map<String, Object> config) {
            Map<String, Object> filled = space.filled(config);
            double[] actions = new double[params.size()];
            if (proportional) {
                double largest = params.stream().mapToDouble(p -> number(filled.get(p.name()), 1.0)).max().orElse(1);
                for (int t = 0; t < params.size(); t++) {
                    Parameter.FloatParameter f = (Parameter.FloatParameter) params.get(t);
                    double share = number(filled.get(f.name()), f.high()) / largest;
                    double floor = f.low() / f.high();
                    actions[t] = Math.min(1, Math.max(0, (share - floor) / (1 - floor)));
                }
                return actions;
            }
            for (int t = 0; t < params.size(); t++) {
                actions[t] = action(params.get(t), filled.get(params.get(t).name()));
            }
            return actions;
        }

        Map<String, Object> config(double[] actions) {
            Map<String, Object> config = new LinkedHashMap<>();
            if (proportional) {
                double[] shares = new double[actions.length];
                double largest = 0;
                for (int t = 0; t < actions.length; t++) {
                    Parameter.FloatParameter f = (Parameter.FloatParameter) params.get(t);
                    double floor = f.low() / f.high();
                    shares[t] = floor + actions[t] * (1 - floor);
                    largest = Math.max(largest, shares[t]);
                }
                for (int t = 0; t < actions.length; t++) {
                    Parameter.FloatParameter f = (Parameter.FloatParameter) params.get(t);
                    config.put(f.name(), Math.max(f.low(), f.high() * shares[t] / largest));
                }
                return config;
            }
            for (int t = 0; t < params.size(); t++) {
                config.put(params.get(t).name(), value(params.get(t), actions[t]));
            }
            return config;
        }

        private static double number(Object value, double fallback) {
            return value instanceof Number n ? n.doubleValue() : fallback;
        }

        static double action(Parameter p, Object value) {
            if (p instanceof Parameter.CategoricalParameter c) {
                // The middle of the choice's slice of [0, 1]; a value told as text matches by its text.
                int index = c.choices().indexOf(value);
                for (int k = 0; k < c.choices().size() && index < 0; k++) {
                    if (String.valueOf(c.choices().get(k)).equals(String.valueOf(value))) {
                        index = k;
                    }
                }
                return (Math.max(0, index) + 0.5) / c.choices().size();
            }
            if (!(value instanceof Number n)) {
                return 0.5;
            }
            double x = n.doubleValue();
            double a;
            if (p instanceof Parameter.FloatParameter f) {
                a = f.log() ? fraction(Math.log(x), Math.log(f.low()), Math.log(f.high())) : fraction(x, f.low(), f.high());
            } else {
                Parameter.IntParameter i = (Parameter.IntParameter) p;
                a = fraction(x, i.low(), i.high());
            }
            return Math.min(1, Math.max(0, a));
        }

        static Object value(Parameter p, double a) {
            if (p instanceof Parameter.FloatParameter f) {
                return f.log() ? Math.exp(Math.log(f.low()) + a * (Math.log(f.high()) - Math.log(f.low())))
                        : f.low() + a * (f.high() - f.low());
            }
            if (p instanceof Parameter.IntParameter i) {
                return (int) Math.round(i.low() + a * (i.high() - i.low()));
            }
            Parameter.CategoricalParameter c = (Parameter.CategoricalParameter) p;
            return c.choices().get(Math.min(c.choices().size() - 1, (int) Math.floor(a * c.choices().size())));
        }

        private static double fraction(double x, double lo, double hi) {
            return hi > lo ? (x - lo) / (hi - lo) : 0.5;
        }
    }
}
