package dev.pocketmesh.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.infra.EmbeddedRedis;
import dev.pocketmesh.infra.FreePorts;
import java.net.URI;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** {@link JobStore#listInStates} on a real redis-server: only the jobs in the asked states, newest first. */
class JobStoreListInStatesTest {
    @Test
    void listsOnlyTheJobsInTheAskedStatesNewestFirst() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("pm-jobstore"), FreePorts.find());
                JedisPooled client = new JedisPooled(URI.create(redis.url()))) {
            JobStore jobs = new JobStore(client);
            jobs.create("a", "a", JobState.SEARCHING, null, null, null);
            Thread.sleep(2); // creation time orders the job index
            jobs.create("b", "b", JobState.COMPLETED, null, null, null);
            Thread.sleep(2);
            jobs.create("c", "c", JobState.BASELINE, null, null, null);
            Set<JobState> running = EnumSet.of(JobState.BASELINE, JobState.SEARCHING, JobState.FINALIZING);

            assertThat(jobs.listInStates(running, 100)).extracting(JobRecord::jobId).containsExactly("c", "a");
            assertThat(jobs.listInStates(running, 1)).extracting(JobRecord::jobId).containsExactly("c");

            jobs.transition("a", Set.of(JobState.SEARCHING), JobState.FAILED, "stopped");
            assertThat(jobs.listInStates(running, 100)).extracting(JobRecord::jobId).containsExactly("c");
            assertThat(jobs.listInStates(EnumSet.of(JobState.FAILED, JobState.COMPLETED), 100))
                    .extracting(JobRecord::jobId).containsExactlyElementsOf(List.of("b", "a"));
        }
    }
}
