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
        return ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topics, replicationFactor);
    }

    /**
     * @param clientProperties Kafka client settings: bootstrap servers and, on a secured cluster, the SASL/TLS ones
     *                         (a service passes its {@code kafka.*} configuration)
     */
    public static List<String> ensure(Map<String, ?> clientProperties, Map<String, Integer> topics,
            short replicationFactor) {
        Object bootstrapServers = clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = admin(clientProperties)) {
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

    /**
     * An admin client with the given client settings. Only the settings an admin client knows are passed on (a
     * service's {@code kafka.*} block may also hold consumer or producer settings, which would be logged as unknown).
     */
    public static Admin admin(Map<String, ?> clientProperties) {
        Properties props = new Properties();
        clientProperties.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k) || k.startsWith("sasl.") || k.startsWith("ssl.")) {
                props.put(k, v);
            }
        });
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return Admin.create(props);
    }
}
