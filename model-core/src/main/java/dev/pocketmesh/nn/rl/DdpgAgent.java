package dev.pocketmesh.nn.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.search.RandomSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The learning part of the DDPG optimiser: an actor that maps the study's state (every searched layer's
 * descriptor) to one action in [0, 1] per layer, and a critic that scores (state, actions) with the reward the
 * trial earned. Both are trained on every finished trial: the critic regresses the rewards, the actor climbs the
 * critic (the deterministic policy gradient).
 *
 * <p>Choices, for searches of tens of trials rather than AMC's hundreds of episodes:
 * <ul>
 * <li>One trial is one step that sets every layer at once. AMC walks the layers one by one and clips each action to
 * the budget left; here the learner's projection enforces the budget after the fact, which a per-layer critic
 * cannot see, and it then attributes an episode's reward to each layer's action alone (measured: such an agent
 * learns to ask "more" of every layer, which the projection scales back to uniform). A critic of the whole vector
 * learns which allocations pay.</li>
 * <li>The reward is the trial's value minus an exponential moving average of the values before it (AMC's baseline),
 * divided by the spread of the values seen so far, so that accuracy differences of a tenth of a point still give
 * gradients of a useful size.</li>
 * <li>A fixed number of minibatch updates per finished trial, minibatches drawn from all past trials.</li>
 * </ul>
 * Everything random comes from streams derived from the seed and the trial count, so the agent is a function of
 * the ordered trials it learned: {@link DdpgSampler} can rebuild it after a restart, or continue a cached one.
 */
final class DdpgAgent implements AutoCloseable {
    static final int HIDDEN = 64;
    static final int UPDATES_PER_EPISODE = 48;
    static final int BATCH = 32;
    static final double ACTOR_LEARNING_RATE = 1e-3;
    static final double CRITIC_LEARNING_RATE = 3e-3;
    static final double BASELINE_DECAY = 0.9;
    private static final long INIT_STREAM = 0x5DEECE66DL;
    private static final long BATCH_STREAM = 0x2545F4914F6CDD1DL;

    private final long seed;
    private final float[] state;
    private final int actionSize;
    private final NDManager manager;
    private final Mlp actor;
    private final Mlp critic;
    private final List<float[]> actions = new ArrayList<>();
    private final List<Float> rewards = new ArrayList<>();
    /** The trials learned, in order: (trial number, value) each. */
    private final List<Integer> numbers = new ArrayList<>();
    private final List<Double> values = new ArrayList<>();
    private double baseline;

    DdpgAgent(long seed, float[] state, int actionSize) {
        this.seed = seed;
        this.state = state.clone();
        this.actionSize = actionSize;
        this.manager = Engines.pytorch().newBaseManager();
        // Streams of their own, apart from the trials' (a twisted seed), each a function of the seed alone.
        SplittableRandom init = RandomSampler.streamFor(seed ^ INIT_STREAM, 0);
        this.actor = new Mlp(manager, state.length, HIDDEN, actionSize, init);
        this.critic = new Mlp(manager, state.length + actionSize, HIDDEN, 1, init);
    }

    /** Whether this agent learned exactly the first trials of {@code allNumbers} / {@code allValues}, in order. */
    boolean learnedPrefixOf(List<Integer> allNumbers, List<Double> allValues) {
        return numbers.size() <= allNumbers.size() && numbers.equals(allNumbers.subList(0, numbers.size()))
                && values.equals(allValues.subList(0, values.size()));
    }

    int episodes() {
        return numbers.size();
    }

    /** Learns one finished trial: the actions that describe what it trained, and its value. */
    void learn(int trialNumber, double value, double[] trialActions) {
        double reward = numbers.isEmpty() ? 0 : (value - baseline) / spread(value);
        baseline = numbers.isEmpty() ? value : BASELINE_DECAY * baseline + (1 - BASELINE_DECAY) * value;
        numbers.add(trialNumber);
        values.add(value);
        float[] a = new float[actionSize];
        for (int i = 0; i < actionSize; i++) {
            a[i] = (float) trialActions[i];
        }
        actions.add(a);
        rewards.add((float) reward);
        SplittableRandom batches = RandomSampler.streamFor(seed ^ BATCH_STREAM, numbers.size());
        for (int u = 0; u < UPDATES_PER_EPISODE; u++) {
            update(batches);
        }
    }

    /** The actor's actions for the study's state, each in [0, 1]. */
    double[] act() {
        try (NDScope scope = new NDScope()) {
            float[] out = Activation.sigmoid(actor.forward(manager.create(state, new Shape(1, state.length))))
                    .toFloatArray();
            double[] a = new double[actionSize];
            for (int i = 0; i < actionSize; i++) {
                a[i] = out[i];
            }
            return a;
        }
    }

    /** The standard deviation of the values learned so far and this one (at least 1e-3). */
    private double spread(double value) {
        double mean = value;
        for (double v : values) {
            mean += v;
        }
        mean /= values.size() + 1;
        double sum = (value - mean) * (value - mean);
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return Math.max(1e-3, Math.sqrt(sum / (values.size() + 1)));
    }

    private void update(SplittableRandom batches) {
        int n = Math.min(BATCH, actions.size());
        float[] s = new float[n * state.length];
        float[] a = new float[n * actionSize];
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            int k = batches.nextInt(actions.size());
            System.arraycopy(state, 0, s, i * state.length, state.length);
            System.arraycopy(actions.get(k), 0, a, i * actionSize, actionSize);
            r[i] = rewards.get(k);
        }
        try (NDScope scope = new NDScope()) {
            NDArray states = manager.create(s, new Shape(n, state.length));
            NDArray taken = manager.create(a, new Shape(n, actionSize));
            NDArray reward = manager.create(r, new Shape(n, 1));
            Engine engine = manager.getEngine();
            critic.zeroGradients();
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray q = critic.forward(NDArrays.concat(new NDList(states, taken), 1));
                collector.backward(q.sub(reward).square().mean());
            }
            critic.adamStep(CRITIC_LEARNING_RATE);
            actor.zeroGradients();
            critic.zeroGradients();
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray proposed = Activation.sigmoid(actor.forward(states));
                NDArray q = critic.forward(NDArrays.concat(new NDList(states, proposed), 1));
                collector.backward(q.mean().neg());
            }
            actor.adamStep(ACTOR_LEARNING_RATE);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
