package dev.pocketmesh.evaluator.service;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.evaluator.config.EvaluatorConfig;
import dev.pocketmesh.evaluator.config.EvaluatorIdentity;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.measure.LatencyModel;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
    private LatencyModel model;

    public LatencyTables(ArtifactStore artifacts, EvaluatorIdentity device, EvaluatorConfig config) {
        this.artifacts = artifacts;
        this.device = device;
        this.config = config;
    }

    /** Estimated batch-1 latency of {@code spec} on this profile, timing the pieces the table lacks (then saved). */
    public synchronized double estimateMs(NetSpec spec, long seed) {
        String path = LatencyModel.tablePath(device.profile());
        if (model == null) {
            Map<String, Double> table = LatencyModel.readTable(artifacts, device.profile());
            model = new LatencyModel(table, device.threads(), config.latency().warmup(), config.latency().runs(), seed);
        }
        int before = model.table().size();
        double estimate = model.estimateMs(spec);
        if (model.table().size() > before) {
            artifacts.put(path, Json.write(new java.util.TreeMap<>(model.table())).getBytes(StandardCharsets.UTF_8));
            LOG.infof("latency model of %s: %d pieces timed (table: %d)", device.profile(),
                    model.table().size() - before, model.table().size());
        }
        return estimate;
    }
}
