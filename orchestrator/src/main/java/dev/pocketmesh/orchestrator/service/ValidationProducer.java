package dev.pocketmesh.orchestrator.service;

import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.spec.JobSpecValidator;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one validator both intake paths (Kafka and REST) use, so a job is judged the same way wherever it comes from. */
public class ValidationProducer {

    @Produces
    @Singleton
    JobSpecValidator validator(LearnerCatalog learners) {
        // The orchestrator sees the same dataset volume as the workers (local mode, shared volume in a cluster).
        return new JobSpecValidator(learners, JobSpecValidator::localPathExists);
    }
}
