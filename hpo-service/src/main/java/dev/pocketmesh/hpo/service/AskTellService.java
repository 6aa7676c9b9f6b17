package dev.pocketmesh.hpo.service;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.hpo.store.AskTellStore;
import dev.pocketmesh.search.Observation;
import dev.pocketmesh.search.Pareto;
import dev.pocketmesh.search.Optimizers;
import dev.pocketmesh.search.Sampler;
import dev.pocketmesh.search.SearchSpace;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Optuna-like ask/tell studies over the mesh's samplers, usable without Kafka or workers.
 *
 * <p>State: everything is in Redis ({@link AskTellStore}); every ask rebuilds the sampler's history from the stored
 * trials, and samplers are deterministic in (seed, history, trial number), so a restarted service (or another
 * replica) asks exactly what an uninterrupted one would. Numbers come from an atomic HINCRBY, and each asked trial is
 * stored as RUNNING before it is returned, so later asks see it as a pending point. The per-study lock only makes
 * concurrent asks on one replica see each other's pending trials; across replicas they still get distinct numbers.
 *
 * <p>Directions: samplers maximise, so a minimised objective reaches them as {@code -value}.
 *
 * <p>Two objectives (ParEGO, Knowles 2006): for trial number {@code t} the weights {@code (w, 1-w)} are drawn from
 * a stream seeded by (seed, t) alone, so a restart draws the same ones. Each completed trial's objectives are
 * oriented to "higher is better", normalised to [0, 1] by the min/max observed among completed trials, and scalarised
 * by the augmented Chebyshev function {@code -(max_i w_i (1 - z_i) + 0.05 sum_i w_i (1 - z_i))}; the sampler
 * maximises that. Different weights per trial spread the asks along the Pareto front. PRUNED trials with values are
 * scalarised too (the sampler's contract allows a partial value); FAIL trials reach the sampler with no value.
 */
@ApplicationScoped
public class AskTellService {
    private static final int LOCK_STRIPES = 64;

    private final AskTellStore store;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    public AskTellService(AskTellStore store) {
        this.store = store;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** No ask/tell study with this id: HTTP 404. */
    public static final class UnknownStudy extends RuntimeException {
        public UnknownStudy(String id) {
            super("no study " + id, null, false, false);
        }
    }

    public AskTellStudy create(AskTellRequests.Create request) {
        // Validated by AskTellRequests; the constructor re-checks names (never fails here).
        SearchSpace space = new SearchSpace(request.space());
        AskTellStudy study = new AskTellStudy("study-" + UUID.randomUUID(), request.name(), space,
                request.directions(), request.optimizer(), request.seed(), System.currentTimeMillis());
        if (!store.create(study)) {
            throw new IllegalStateException("study id collision: " + study.id());
        }
        return study;
    }

    public Optional<AskTellStudy> find(String id) {
        return store.find(id);
    }

    /** Asks {@code n} new trials; each is stored RUNNING before this returns. */
    public List<AskTellTrial> ask(String id, int n) {
        AskTellStudy study = store.find(id).orElseThrow(() -> new UnknownStudy(id));
        ReentrantLock lock = locks[Math.floorMod(id.hashCode(), LOCK_STRIPES)];
        lock.lock();
        try {
            int first = store.reserve(id, n);
            if (first < 0) {
                throw new UnknownStudy(id);
            }
            Sampler sampler = Optimizers.create(study.optimizer(), study.seed());
            // The history comes only from Redis: what a restarted service would read too.
            List<AskTellTrial> history = new ArrayList<>(store.trials(id));
            List<AskTellTrial> asked = new ArrayList<>(n);
            for (int number = first; number < first + n; number++) {
                Map<String, Object> params = study.space().activeOnly(sampler.suggest(study.space(),
                        observations(study, history, number), number));
                AskTellTrial trial = AskTellTrial.running(number, params);
                store.putRunning(id, trial);
                history.add(trial);
                asked.add(trial);
            }
            return asked;
        } finally {
            lock.unlock();
        }
    }

    /** Tells a trial's outcome once; a refused tell changes nothing. */
    public AskTellTrial tell(String id, String body) {
        AskTellStudy study = store.find(id).orElseThrow(() -> new UnknownStudy(id));
        AskTellRequests.Tell tell = AskTellRequests.tell(body, study.objectives());
        AskTellTrial current = store.trial(id, tell.number())
                .orElseThrow(() -> new AskTellRequests.Invalid("number", "no trial " + tell.number()
                        + " has been asked in study " + id));
        if (current.state() != AskTellTrial.State.RUNNING) {
            throw alreadyTold(current);
        }
        AskTellTrial told = current.told(tell.state(), tell.values(), tell.intermediate());
        return switch (store.tell(id, told)) {
            case TOLD -> told;
            // Raced with another tell of the same trial between the read and the script.
            case ALREADY_TOLD -> throw alreadyTold(store.trial(id, tell.number()).orElse(current));
            case UNKNOWN_TRIAL -> throw new AskTellRequests.Invalid("number", "no trial " + tell.number()
                    + " has been asked in study " + id);
        };
    }

    private static AskTellRequests.Invalid alreadyTold(AskTellTrial trial) {
        return new AskTellRequests.Invalid(List.of(new FieldError("number", "trial " + trial.number()
                + " was already told (" + trial.state() + ")")));
    }

    public Optional<AskTellView> view(String id) {
        return store.find(id).map(study -> AskTellView.of(study, store.trials(id)));
    }

    /**
     * The history as the sampler sees it when proposing {@code trialNumber}: values oriented for maximisation and,
     * with two objectives, scalarised with that trial's ParEGO weights.
     */
    static List<Observation> observations(AskTellStudy study, List<AskTellTrial> trials, int trialNumber) {
        List<Observation> history = new ArrayList<>(trials.size());
        if (study.objectives() == 1) {
            for (AskTellTrial t : trials) {
                Double v = t.values() == null ? null : study.sign(0) * t.values().get(0);
                history.add(new Observation(t.number(), null, t.params(), v, t.state().trialState()));
            }
            return history;
        }
        List<Pareto.Point> points = new ArrayList<>();
        for (AskTellTrial t : trials) {
            if (t.values() != null) {
                points.add(new Pareto.Point(t.number(), oriented(study, t)));
            }
        }
        Map<Integer, Double> scalar = Pareto.parEgo(points, Pareto.parEgoWeights(study.seed(), trialNumber,
                study.objectives()));
        for (AskTellTrial t : trials) {
            history.add(new Observation(t.number(), null, t.params(), scalar.get(t.number()),
                    t.state().trialState()));
        }
        return history;
    }

    /** A trial's values, each turned so that higher is better. */
    static double[] oriented(AskTellStudy study, AskTellTrial t) {
        double[] y = new double[study.objectives()];
        for (int i = 0; i < y.length; i++) {
            y[i] = study.sign(i) * t.values().get(i);
        }
        return y;
    }
}
