package dev.pocketmesh.cdi;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.artifacts.FileArtifactStore;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.state.Deduplicator;
import dev.pocketmesh.state.JobStore;
import dev.pocketmesh.state.StudyStore;
import dev.pocketmesh.state.TrialStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;

/**
 * The mesh's shared state for any service: one pooled Redis connection and the stores over it, plus the
 * artifact store and learner catalog. Configuration: {@code pocketmesh.redis.url} and
 * {@code pocketmesh.artifacts.root}. Singletons rather than application-scoped beans: the stores are
 * thread-safe final classes, and no client proxy should stand between a caller and them.
 */
@ApplicationScoped
public class MeshStateProducer {

    @Produces
    @Singleton
    UnifiedJedis redis(@ConfigProperty(name = "pocketmesh.redis.url", defaultValue = "redis://127.0.0.1:6379")
            String url) {
        return new JedisPooled(java.net.URI.create(url));
    }

    void close(@Disposes UnifiedJedis redis) {
        redis.close();
    }

    @Produces
    @Singleton
    JobStore jobs(UnifiedJedis redis) {
        return new JobStore(redis);
    }

    @Produces
    @Singleton
    TrialStore trials(UnifiedJedis redis) {
        return new TrialStore(redis);
    }

    @Produces
    @Singleton
    StudyStore studies(UnifiedJedis redis) {
        return new StudyStore(redis);
    }

    @Produces
    @Singleton
    dev.pocketmesh.state.EvaluatorRegistry evaluators(UnifiedJedis redis) {
        return new dev.pocketmesh.state.EvaluatorRegistry(redis);
    }

    @Produces
    @Singleton
    Deduplicator deduplicator(UnifiedJedis redis) {
        return new Deduplicator(redis, Duration.ofDays(7));
    }

    @Produces
    @Singleton
    ArtifactStore artifacts(@ConfigProperty(name = "pocketmesh.artifacts.root",
            defaultValue = "${user.home}/.pocketmesh/artifacts") String root) {
        return new FileArtifactStore(Path.of(root));
    }

    @Produces
    @Singleton
    LearnerCatalog learners() {
        return LearnerCatalog.standard();
    }
}
