package dev.pocketmesh.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** Where trial proposals go: one job's consecutive trials on distinct partitions, an equal share for each. */
class TrialPartitionerTest {
    private static final int PARTITIONS = Topics.TRIAL_PARTITIONS;

    @Test
    void consecutiveTrialsOfAJobLandOnDistinctPartitions() {
        for (String job : List.of(MessageIds.newJobId(), MessageIds.newJobId(), "my-own-t0012-job")) {
            for (int first : new int[] {1, 7, 9_990}) {
                Set<Integer> used = new HashSet<>();
                for (int n = first; n < first + PARTITIONS; n++) {
                    used.add(TrialPartitioner.partitionOf(MessageIds.searchTrialId(job, n), PARTITIONS));
                }
                assertThat(used).as("partitions of trials %d..%d of %s", first, first + PARTITIONS - 1, job)
                        .hasSize(PARTITIONS);
            }
        }
    }

    @Test
    void parallelTrialsMeetDistinctWorkersWhateverTheGroupsLayout() {
        String job = MessageIds.newJobId();
        int[] partitionOfTrial = IntStream.rangeClosed(0, 200)
                .map(n -> TrialPartitioner.partitionOf(MessageIds.searchTrialId(job, n), PARTITIONS)).toArray();
        for (int workers : new int[] {2, 4, 8, 16, 32}) {
            int blockSize = PARTITIONS / workers;
            // A group formed at once: partition p belongs to worker p mod N. Any N consecutive trials: N workers.
            for (int first = 1; first + workers <= 200; first++) {
                Set<Integer> owners = new HashSet<>();
                for (int n = first; n < first + workers; n++) {
                    owners.add(partitionOfTrial[n] % workers);
                }
                assertThat(owners).as("round-robin owners of trials %d.. with %d workers", first, workers)
                        .hasSize(workers);
            }
            // Workers that joined one by one: contiguous blocks. Two consecutive trials mostly reach two workers
            // (consecutive partitions would share one (blockSize - 1) / blockSize of the time).
            long apart = IntStream.range(1, 200)
                    .filter(n -> partitionOfTrial[n] / blockSize != partitionOfTrial[n + 1] / blockSize).count();
            assertThat(apart / 199.0).as("pairs on distinct blocks of %d", blockSize).isGreaterThan(0.8);
        }
        assertThat(TrialPartitioner.stride(32)).isEqualTo(13);
        assertThat(TrialPartitioner.stride(12)).isEqualTo(5);
        assertThat(TrialPartitioner.partitionOf(MessageIds.searchTrialId(job, 7), 1)).isZero();
    }

    @Test
    void aLongSearchGivesEveryPartitionTheSameShare() {
        String job = MessageIds.newJobId();
        int[] perPartition = new int[12];
        for (int n = 1; n <= 12 * 25; n++) {
            perPartition[TrialPartitioner.partitionOf(MessageIds.searchTrialId(job, n), 12)]++;
        }
        assertThat(perPartition).containsOnly(25);
    }

    @Test
    void jobsStartOnDifferentPartitions() {
        Set<Integer> firsts = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            firsts.add(TrialPartitioner.partitionOf(MessageIds.searchTrialId(MessageIds.newJobId(), 1), PARTITIONS));
        }
        assertThat(firsts).as("first partitions of 50 jobs").hasSizeGreaterThan(10);
    }

    @Test
    void baselineAndFinalTrialsKeepKafkasKeyHash() {
        String job = MessageIds.newJobId();
        for (String trialId : List.of(MessageIds.baselineTrialId(job), MessageIds.finalTrialId(job), "other-key")) {
            int kafkas = Utils.toPositive(Utils.murmur2(trialId.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            assertThat(TrialPartitioner.partitionOf(trialId, PARTITIONS)).as(trialId).isEqualTo(kafkas);
        }
    }

    @Test
    void asAKafkaPartitionerItUsesTheTopicsOwnPartitionCount() {
        String job = MessageIds.newJobId();
        Cluster cluster = cluster(Topics.TRIALS_PROPOSED, 5);
        TrialPartitioner partitioner = new TrialPartitioner();
        List<Integer> placed = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            String key = MessageIds.searchTrialId(job, n);
            placed.add(partitioner.partition(Topics.TRIALS_PROPOSED, key, key.getBytes(StandardCharsets.UTF_8),
                    "{}", new byte[2], cluster));
        }
        assertThat(placed).allMatch(p -> p >= 0 && p < 5).doesNotHaveDuplicates();
        // The partition depends on the trial id alone: a later attempt of the trial (same key) follows it.
        String key = MessageIds.searchTrialId(job, 3);
        assertThat(partitioner.partition(Topics.TRIALS_PROPOSED, key, null, "{\"attempt\":2}", null, cluster))
                .isEqualTo(placed.get(2));
        assertThatThrownBy(() -> partitioner.partition(Topics.TRIALS_PROPOSED, null, null, "{}", null, cluster))
                .hasMessageContaining("trialId as the key");
    }

    @Test
    void searchTrialIdsParseBack() {
        assertThat(MessageIds.parseSearchTrialId(MessageIds.searchTrialId("job-ab-t0001", 42)))
                .contains(new MessageIds.SearchTrialRef("job-ab-t0001", 42));
        assertThat(MessageIds.parseSearchTrialId(MessageIds.baselineTrialId("job-ab"))).isEmpty();
        assertThat(MessageIds.parseSearchTrialId(MessageIds.finalTrialId("job-ab"))).isEmpty();
    }

    private static Cluster cluster(String topic, int partitions) {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> infos = IntStream.range(0, partitions)
                .mapToObj(p -> new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node})).toList();
        return new Cluster("test", List.of(node), infos, Set.of(), Set.of());
    }
}
