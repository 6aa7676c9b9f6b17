package dev.pocketmesh.messaging;

import dev.pocketmesh.contracts.MessageIds;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

/**
 * Where a trial proposal goes on {@code pocketmesh.trials.proposed}: the producers of proposals (hpo-service,
 * orchestrator, the scale benchmark) name this class as {@code partitioner.class}; the record key stays the trialId.
 *
 * <p>Kafka's default (a hash of the key) drops trials on partitions at random: some get many more than others, and
 * since a partition belongs to one worker, the worker with the fullest partitions sets the pace (the scale benchmark
 * measured 0.74 of linear at 32 workers for exactly that reason). Here search trial {@code n} of a job goes to
 * partition {@code (hash(jobId) + n * stride) mod partitions}, with a stride coprime with the partition count:
 * any {@code partitions} consecutive trials of a job, and so the ones a study runs in parallel, land on distinct
 * partitions, every partition gets the same share of a long search, and jobs start at different partitions.
 *
 * <p>Why a stride near {@code 0.382 x partitions} (the golden section) rather than 1: which worker owns which
 * partition is Kafka's choice. A group that forms at once gets them round robin (partition p to worker p mod N),
 * where any stride coprime with the count gives N consecutive trials N distinct workers; workers that join one by
 * one (as an autoscaler adds them) keep the sticky assignor's contiguous blocks, where consecutive partitions would
 * mostly share a worker, and the golden-section stride jumps far enough to reach another block (on the layouts
 * measured with 2 to 8 workers joining one by one, 2 parallel trials of a job got distinct workers 82-100 % of the
 * time, against 50-88 % with Kafka's hash and 6-60 % with consecutive partitions).
 *
 * <p>The partition depends on the trial id alone, so every attempt of a trial (the orchestrator's re-proposals)
 * follows the ones before it on the same partition, as with a keyed hash. Other trials (baseline, final) keep
 * Kafka's hash of the key.
 */
public final class TrialPartitioner implements Partitioner {
    /** 1 - 1/phi: successive multiples of it spread most evenly around the partitions (three-gap theorem). */
    private static final double GOLDEN_SECTION = 0.3819660112501051;

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes,
            Cluster cluster) {
        if (key == null) {
            throw new IllegalArgumentException("a trial proposal on " + topic + " needs its trialId as the key");
        }
        return partitionOf(key.toString(), cluster.partitionsForTopic(topic).size());
    }

    /** The partition of trial {@code trialId} on a topic of {@code partitions} partitions. */
    public static int partitionOf(String trialId, int partitions) {
        return MessageIds.parseSearchTrialId(trialId)
                .map(t -> Math.floorMod(hash(t.jobId()) + (long) t.number() * stride(partitions), partitions))
                .orElseGet(() -> Utils.toPositive(hash(trialId)) % partitions);
    }

    /** The step between a job's consecutive trials: coprime with {@code partitions}, nearest its golden section. */
    static int stride(int partitions) {
        double target = partitions * GOLDEN_SECTION;
        int best = 1;
        for (int s = 1; s < partitions; s++) {
            if (gcd(s, partitions) == 1 && Math.abs(s - target) < Math.abs(best - target)) {
                best = s;
            }
        }
        return best;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Kafka's own key hash (murmur2 of the UTF-8 bytes), so baseline and final trials go where they always did. */
    private static int hash(String text) {
        return Utils.murmur2(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }
}
