package dev.pocketmesh.evaluator.service;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.contracts.EvaluationRequest;
import dev.pocketmesh.contracts.TrialResult;
import dev.pocketmesh.evaluator.config.EvaluatorIdentity;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.LearnerDescriptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Turns an evaluation request into the trial's result: EVALUATED with the measured metrics, or FAILED with a
 * reason the user can act on (missing artifact, unknown learner, wrong device pool, measurement error). A
 * FAILED result rather than a dead letter, because the trial must end either way for the study to go on.
 */
@ApplicationScoped
public class EvaluationService {
    private static final Logger LOG = Logger.getLogger(EvaluationService.class);

    private final ArtifactStore artifacts;
    private final MeasurerRegistry measurers;
    private final LearnerCatalog catalog;
    private final EvaluatorIdentity identity;
    private final Timer latency;

    public EvaluationService(ArtifactStore artifacts, MeasurerRegistry measurers, LearnerCatalog catalog,
            EvaluatorIdentity identity, MeterRegistry registry) {
        this.latency = Timer.builder("pocketmesh.evaluator.latency")
                .description("Time to measure one candidate (accuracy, latency, size), per device profile")
                .tag("device", identity.profile()).register(registry);
        this.artifacts = artifacts;
        this.measurers = measurers;
        this.catalog = catalog;
        this.identity = identity;
    }

    public TrialResult evaluate(EvaluationRequest request) {
        return latency.record(() -> measure(request));
    }

    private TrialResult measure(EvaluationRequest request) {
        String learner = request.spec().compression().learner();
        if (request.deviceProfile() != null && !request.deviceProfile().equals(identity.profile())) {
            return failed(request, "evaluation request for device profile '" + request.deviceProfile()
                    + "' reached the '" + identity.profile() + "' evaluators");
        }
        Optional<Measurer> measurer = measurers.find(learner);
        if (measurer.isEmpty()) {
            return failed(request, "this evaluator cannot measure learner '" + learner + "' (it measures "
                    + measurers.learners() + ")");
        }
        URI uri;
        try {
            uri = URI.create(request.artifactUri() == null ? "" : request.artifactUri());
            if (!artifacts.exists(uri)) {
                return failed(request, "artifact not found: " + request.artifactUri());
            }
        } catch (IllegalArgumentException e) {
            return failed(request, "artifact " + request.artifactUri() + " cannot be read here: " + e.getMessage());
        }
        Map<String, Object> params = request.spec().compression().params() == null ? Map.of()
                : request.spec().compression().params();
        Optional<LearnerDescriptor> descriptor = catalog.find(learner);
        if (descriptor.isPresent()) {
            params = descriptor.get().withDefaults(params);
        }
        try {
            Map<String, Double> metrics = measurer.get().measure(new Candidate(request, uri, artifacts, params));
            return TrialResult.evaluated(request, metrics, identity.id());
        } catch (Exception e) {
            LOG.warnf(e, "measuring %s attempt %d failed", request.trialId(), request.attempt());
            return failed(request, "measurement failed: " + (e.getMessage() == null ? e.getClass().getName()
                    : e.getMessage()));
        }
    }

    private TrialResult failed(EvaluationRequest request, String error) {
        LOG.infof("%s attempt %d cannot be evaluated: %s", request.trialId(), request.attempt(), error);
        return TrialResult.failed(request.jobId(), request.trialId(), request.trialNumber(), request.attempt(),
                request.kind(), request.config(), error, identity.id());
    }
}
