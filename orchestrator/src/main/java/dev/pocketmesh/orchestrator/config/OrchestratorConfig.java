package dev.pocketmesh.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/**
 * The orchestrator's own settings under {@code pocketmesh.*}. Redis and the artifact root
 * ({@code pocketmesh.redis.url}, {@code pocketmesh.artifacts.root}) belong to shared-model's producer.
 */
@ConfigMapping(prefix = "pocketmesh")
public interface OrchestratorConfig {

    Lease lease();

    Trial trial();

    Reaper reaper();

    Evaluators evaluators();

    Datasets datasets();

    Limits limits();

    interface Datasets {
        /**
         * Directories a job's {@code dataset.path} (and, with the artifact root, its {@code model.uri}) must lie under
         * (env {@code POCKETMESH_DATASETS_ROOTS}, a comma list). The defaults cover the packaged datasets and the
         * local mesh's own directories; a cluster sets its dataset volume here.
         */
        @WithDefault("/usr/share/datasets,${user.home}/.pocketmesh/datasets,${user.dir}/data,${user.dir}/runs")
        List<String> roots();
    }

    /** Per-job limits a submitted job is refused beyond (field and limit named in the refusal). */
    interface Limits {
        @WithDefault("10000")
        int maxTrials();

        /** Applies to each training phase: search trials, baseline and final training. */
        @WithDefault("10000")
        int maxEpochs();

        @WithDefault("256")
        int maxParallelism();

        /** Parameters of the job's uncompressed network. */
        @WithDefault("100000000")
        long maxModelParams();
    }

    interface Lease {
        /** How long a worker's claim lives without a heartbeat; workers renew every ttl/3. */
        @WithDefault("3s")
        Duration ttl();
    }

    interface Trial {
        /** Attempts a trial gets before the reaper fails it (a worker died on each). */
        @WithDefault("3")
        int maxAttempts();
    }

    interface Reaper {
        /** How often expired leases are looked for; read by the @Scheduled reaper (the scheduler's minimum is 1s). */
        @WithDefault("1s")
        Duration interval();
    }

    interface Evaluators {
        /**
         * Whether a job needs a running evaluator of its device profile: refused at intake without one, failed when
         * its evaluators are gone for {@link #grace()}. Off only where tests play the evaluator's part themselves.
         */
        @WithDefault("true")
        boolean required();

        /** How long a running job's device profile may have no evaluator (one restarting) before the job fails. */
        @WithDefault("30s")
        Duration grace();
    }

}
