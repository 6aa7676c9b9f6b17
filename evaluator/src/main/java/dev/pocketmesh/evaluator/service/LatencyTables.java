package dev.pocketmesh.evaluator.service;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.evaluator.config.EvaluatorConfig;
import dev.pocketmesh.evaluator.config.EvaluatorIdentity;
import dev.pocketmesh.learner.ChannelPruningLearner;
import dev.pocketmesh.learner.JobNetwork;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.measure.LatencyModel;
import dev.pocketmesh.spec.JobSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * This evaluator's latency model: the per-piece latency table of its device profile, kept in the artifact store at
 * {@code latency-models/<profile>.json} so every evaluator of the profile shares it and a piece is timed once per
 * profile. Evaluators run one request at a time, so the table is read and written from one thread.
 */
@ApplicationScoped
public class LatencyTables {
    private static final Logger LOG = Logger.getLogger(LatencyTables.class);

    private final ArtifactStore artifacts;
    private final EvaluatorIdentity device;
    private final EvaluatorConfig config;
    private final LearnerCatalog catalog;
    private LatencyModel model;

    public LatencyTables(ArtifactStore artifacts, EvaluatorIdentity device, EvaluatorConfig config,
            LearnerCatalog catalog) {
        this.artifacts = artifacts;
        this.catalog = catalog;
        this.device = device;
        this.config = config;
    }

    /** Estimated batch-1 latency of {@code spec} on this profile, timing the pieces the table lacks (then saved). */
    public synchronized double estimateMs(NetSpec spec, long seed) {
        LatencyModel model = model(seed);
        int before = model.table().size();
        double estimate = model.estimateMs(spec);
        save(before);
        return estimate;
    }

    /**
     * NetAdapt's up-front table for a channel-pruning job, timed when its baseline is measured (before the result
     * goes out, so the search's first proposals find every piece they need): the pieces of every network the job's
     * search can propose ({@link LatencyModel#grid}, from the kept-channel choices its learner makes), those the table
     * lacks timed and saved. Bounded by {@code pocketmesh.evaluator.latency.grid-max-pieces}.
     *
     * @return what the grid held and cost, or empty for a job that is not channel pruning
     */
    public synchronized Optional<GridTiming> timeSearchGrid(JobSpec spec, long seed) {
        if (!(catalog.find(spec.compression().learner()).orElse(null) instanceof ChannelPruningLearner learner)) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        LatencyModel model = model(seed);
        LatencyModel.Grid grid = LatencyModel.grid(JobNetwork.resolve(spec), learner.keptChannelChoices(spec),
                model.table(), config.latency().gridMaxPieces());
        int before = model.table().size();
        int timed = model.timeMissing(grid.missing());
        save(before);
        GridTiming timing = new GridTiming(grid.pieces(), timed, grid.skipped(), (System.nanoTime() - start) / 1e9);
        LOG.infof("latency grid of %s on %s: %d pieces (%s, %d candidate networks), %d timed in %.1f s", spec.name(),
                device.profile(), grid.pieces(), grid.scope(), grid.candidates(), timed, timing.seconds());
        if (grid.skipped() > 0) {
            LOG.warnf("latency grid of %s on %s: %d pieces over the limit of %d not timed (pocketmesh.evaluator.latency"
                    + ".grid-max-pieces); proposals that need them go out without an estimate", spec.name(),
                    device.profile(), grid.skipped(), config.latency().gridMaxPieces());
        }
        return Optional.of(timing);
    }

    /** A job's grid: its pieces in all, those timed now (the rest were in the table), those the limit left out. */
    public record GridTiming(int pieces, int timed, int skipped, double seconds) {
    }

    private LatencyModel model(long seed) {
        if (model == null) {
            Map<String, Double> table = LatencyModel.readTable(artifacts, device.profile());
            model = new LatencyModel(table, device.threads(), config.latency().warmup(), config.latency().runs(), seed);
        }
        return model;
    }

    /** Stores the table when it grew past {@code before} pieces. */
    private void save(int before) {
        if (model.table().size() > before) {
            LatencyModel.writeTable(artifacts, device.profile(), model.table());
            LOG.infof("latency model of %s: %d pieces timed (table: %d)", device.profile(),
                    model.table().size() - before, model.table().size());
        }
    }
}
