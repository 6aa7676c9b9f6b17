package dev.pocketmesh.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code pocketmesh.lease.*}: shared with the orchestrator's reaper, which re-proposes expired leases. */
@ConfigMapping(prefix = "pocketmesh.lease")
public interface LeaseConfig {

    /** Lease time-to-live; the worker renews it every third of this, so two missed heartbeats are tolerated. */
    @WithDefault("3s")
    Duration ttl();
}
