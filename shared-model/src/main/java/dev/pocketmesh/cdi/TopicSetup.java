package dev.pocketmesh.cdi;

import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.messaging.TopicProvisioner;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every service creates the mesh's topics it may need, with their partition counts, when it starts and
 * before its messaging channels do (the application-scope initialisation event comes first), so trial topics
 * get enough partitions for many workers rather than a broker's auto-create default; an evaluator adds its
 * device profile's topic. A failure is logged, not fatal: the topics may be managed elsewhere.
 *
 * <p>{@code pocketmesh.kafka.provision-topics} (default true) switches it off, e.g. where the launcher or an
 * operator created the topics; {@code pocketmesh.kafka.replication-factor} (default -1: the broker's default);
 * {@code pocketmesh.kafka.trial-partitions} (default {@link Topics#TRIAL_PARTITIONS}): partitions of the topics that
 * spread trials, the most workers (or evaluators of one profile) that can work at once. Every service must get the
 * same value (the first one up creates the topics); an existing topic keeps its count.
 */
@ApplicationScoped
public class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    void provision(@Observes @Initialized(ApplicationScoped.class) Object started,
            @ConfigProperty(name = "pocketmesh.kafka.provision-topics", defaultValue = "true") boolean provision,
            @ConfigProperty(name = "pocketmesh.kafka.replication-factor", defaultValue = "-1") short replication,
            @ConfigProperty(name = "pocketmesh.kafka.trial-partitions", defaultValue = "" + Topics.TRIAL_PARTITIONS)
            int trialPartitions,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "pocketmesh.evaluator.profile") Optional<String> evaluatorProfile) {
        if (!provision) {
            return;
        }
        if (trialPartitions < 1) {
            throw new IllegalArgumentException("pocketmesh.kafka.trial-partitions must be at least 1, not "
                    + trialPartitions);
        }
        Map<String, Integer> topics = new LinkedHashMap<>(Topics.standardTopics(trialPartitions));
        evaluatorProfile.ifPresent(profile -> {
            topics.putIfAbsent(Topics.evaluations(profile), trialPartitions);
            topics.putIfAbsent(Topics.deadLetter(Topics.evaluations(profile)), 1);
        });
        // All of kafka.* (bootstrap servers, and SASL/TLS on a secured cluster), as the messaging channels get it.
        Object bootstrap = kafkaConfig.getOrDefault("bootstrap.servers", "127.0.0.1:9092");
        Map<String, Object> client = new LinkedHashMap<>(kafkaConfig);
        client.put("bootstrap.servers", bootstrap);
        try {
            List<String> created = TopicProvisioner.ensure(client, topics, replication);
            LOG.info("Kafka topics on {}: created {}", bootstrap, created.isEmpty() ? "none (all exist)" : created);
        } catch (RuntimeException e) {
            LOG.warn("Could not create the mesh's topics on {} ({}); relying on the broker", bootstrap, e.getMessage());
        }
    }
}
