package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.orchestrator.config.OrchestratorConfig;
import dev.pocketmesh.spec.JobPolicy;
import dev.pocketmesh.spec.JobSpecValidator;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The one validator both intake paths (Kafka and REST) use, so a job is judged the same way wherever it comes from. */
public class ValidationProducer {

    @Produces
    @Singleton
    JobSpecValidator validator(LearnerCatalog learners, OrchestratorConfig config,
            @ConfigProperty(name = "pocketmesh.artifacts.root", defaultValue = "${user.home}/.pocketmesh/artifacts")
            String artifactRoot) {
        // The orchestrator sees the same dataset volume as the workers (local mode, shared volume in a cluster).
        return new JobSpecValidator(learners, JobSpecValidator::localPathExists, policy(config, artifactRoot));
    }

    /** Datasets come from the dataset roots; a user model from those or from the artifact store (earlier exports). */
    static JobPolicy policy(OrchestratorConfig config, String artifactRoot) {
        List<Path> datasetRoots = config.datasets().roots().stream().map(String::strip).filter(r -> !r.isEmpty())
                .map(Path::of).toList();
        List<Path> modelRoots = new ArrayList<>(datasetRoots);
        modelRoots.add(Path.of(artifactRoot));
        OrchestratorConfig.Limits limits = config.limits();
        return new JobPolicy(datasetRoots, modelRoots, limits.maxTrials(), limits.maxEpochs(),
                limits.maxParallelism(), limits.maxModelParams());
    }
}
