package dev.pocketmesh.hpo.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the hpo-service, under {@code pocketmesh.hpo}. */
@ConfigMapping(prefix = "pocketmesh.hpo")
public interface HpoConfig {

    /** How long to wait for the broker to acknowledge published proposals before the step counts as failed. */
    @WithDefault("30s")
    Duration publishTimeout();

    /** Resume every open study found in Redis when the service starts (re-create and re-publish proposals). */
    @WithDefault("true")
    boolean recoverOnStartup();


    /** First delay before a failed recovery of a study is retried; it doubles up to {@link #repairMaxDelay()}. */
    @WithDefault("1s")
    Duration repairInitialDelay();

    @WithDefault("30s")
    Duration repairMaxDelay();
}
