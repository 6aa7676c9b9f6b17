package dev.pocketmesh.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code pocketmesh.worker.*}: who this worker is and how long it waits for the broker. */
@ConfigMapping(prefix = "pocketmesh.worker")
public interface WorkerConfig {

    /** Stable worker id; defaults to {@code <hostname>-<pid>}, unique per process on a host. */
    Optional<String> id();

    /**
     * How long to wait for the broker to acknowledge an evaluation request or a failure result before the
     * proposal is nacked. Longer than the producer's own retries would be pointless.
     */
    @WithDefault("60s")
    Duration publishTimeout();
}
