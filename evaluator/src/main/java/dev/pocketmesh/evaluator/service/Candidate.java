package dev.pocketmesh.evaluator.service;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.contracts.EvaluationRequest;
import java.net.URI;
import java.util.Map;

/**
 * A trained candidate to measure: the request (configuration, spec, trial number), its manifest's URI in the
 * store (already checked to exist; the model files sit beside it), and the spec's learner parameters with the
 * learner's defaults filled in.
 */
public record Candidate(EvaluationRequest request, URI artifactUri, ArtifactStore artifacts,
        Map<String, Object> params) {

    public long seed() {
        return request.spec().search() == null ? 0 : request.spec().search().seed();
    }
}
