package dev.pocketmesh.messaging;

import dev.pocketmesh.contracts.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates the mesh's topics with their partition counts where they are missing, so that trial topics get
 * enough partitions for many workers even on a broker that auto-creates topics with a small default.
 */
public final class TopicProvisioner {
    private TopicProvisioner() {
    }

    /** Creates the missing standard topics (replication factor 1 unless the broker's default is used: -1). */
    public static List<String> ensureStandardTopics(String bootstrapServers, short replicationFactor) {
        return ensure(bootstrapServers, Topics.standardTopics(), replicationFactor);
    }

    public static List<String> ensure(String bootstrapServers, Map<String, Integer> topics, short replicationFactor) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            topics.forEach((name, partitions) -> {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, java.util.Optional.of(partitions),
                            replicationFactor > 0 ? java.util.Optional.of(replicationFactor)
                                    : java.util.Optional.empty()));
                }
            });
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // Another replica created some of them first: that is the outcome we wanted.
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
            return missing.stream().map(NewTopic::name).toList();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics on " + bootstrapServers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
