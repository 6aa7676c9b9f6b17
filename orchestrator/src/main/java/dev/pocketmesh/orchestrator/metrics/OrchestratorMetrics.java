package dev.pocketmesh.orchestrator.metrics;

import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.messaging.TopicProvisioner;
import dev.pocketmesh.state.JobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The metrics whose events the orchestrator owns, exported at {@code /q/metrics}: jobs by state
 * ({@code pocketmesh_jobs{state}}, mesh-wide, from Redis), trials finished by outcome
 * ({@code pocketmesh_trials_completed_total}, {@code _failed_total}, {@code _pruned_total}: counted when a result is
 * applied, so redelivered results are not counted twice), and the consumer lag of the trial workers' group on
 * {@code pocketmesh.trials.proposed} ({@code pocketmesh_trials_proposed_lag}: what KEDA scales workers on).
 */
@ApplicationScoped
public class OrchestratorMetrics {
    private static final Logger LOG = Logger.getLogger(OrchestratorMetrics.class);

    private final Counter completed;
    private final Counter failed;
    private final Counter pruned;
    private final AtomicLong proposedLag = new AtomicLong();
    private final Map<String, Object> kafkaConfig;
    private final String workerGroup;
    private volatile Admin admin;

    public OrchestratorMetrics(MeterRegistry registry, JobStore jobs,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "pocketmesh.metrics.worker-group", defaultValue = "trial-workers") String workerGroup) {
        for (JobState state : JobState.values()) {
            Gauge.builder("pocketmesh.jobs", jobs, j -> j.countInState(state)).tag("state", state.name())
                    .description("Jobs in each state, across the mesh").register(registry);
        }
        completed = trials(registry, "completed", "Trials evaluated");
        failed = trials(registry, "failed", "Trials failed (learner error, or the worker lost on every attempt)");
        pruned = trials(registry, "pruned", "Trials stopped early by the study's early stopping");
        Gauge.builder("pocketmesh.trials.proposed.lag", proposedLag, AtomicLong::get)
                .description("Proposals on " + Topics.TRIALS_PROPOSED + " not yet consumed by the trial workers")
                .register(registry);
        this.kafkaConfig = kafkaConfig;
        this.workerGroup = workerGroup;
    }

    private static Counter trials(MeterRegistry registry, String outcome, String description) {
        return Counter.builder("pocketmesh.trials." + outcome).description(description).register(registry);
    }

    /** A trial reached a terminal state (called once per trial: where the state change was applied). */
    public void trialFinished(TrialState state) {
        switch (state) {
            case EVALUATED -> completed.increment();
            case FAILED -> failed.increment();
            case PRUNED -> pruned.increment();
            default -> {
            }
        }
    }

    /** Refreshed off the scrape path: a scrape never waits for the broker. */
    @Scheduled(identity = "proposed-lag", every = "${pocketmesh.metrics.lag-interval:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshLag() {
        try {
            proposedLag.set(lag(Topics.TRIALS_PROPOSED));
        } catch (Exception e) {
            LOG.debugf("cannot read the lag of %s on %s: %s", workerGroup, Topics.TRIALS_PROPOSED, e.getMessage());
        }
    }

    /** Sum over the topic's partitions of end offset minus the group's committed offset (or the start). */
    long lag(String topic) throws Exception {
        Admin client = admin();
        var partitions = client.describeTopics(java.util.List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetAndMetadata> committed = client.listConsumerGroupOffsets(workerGroup)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = client.listOffsets(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = client.listOffsets(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest()))).all().get(10, TimeUnit.SECONDS);
        long lag = 0;
        for (TopicPartition p : partitions) {
            OffsetAndMetadata c = committed.get(p);
            long from = c != null ? c.offset() : starts.get(p).offset();
            lag += Math.max(0, ends.get(p).offset() - from);
        }
        return lag;
    }

    private Admin admin() {
        if (admin == null) {
            admin = TopicProvisioner.admin(kafkaConfig);
        }
        return admin;
    }

    @PreDestroy
    void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(2));
        }
    }
}
