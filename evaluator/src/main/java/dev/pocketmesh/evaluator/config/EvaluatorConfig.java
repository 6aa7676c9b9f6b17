package dev.pocketmesh.evaluator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code pocketmesh.evaluator.*}: which device pool this evaluator serves and who it is. */
@ConfigMapping(prefix = "pocketmesh.evaluator")
public interface EvaluatorConfig {

    /**
     * Device profile this evaluator measures on; it consumes {@code pocketmesh.evaluations.<profile>} in group
     * {@code evaluators-<profile>} (the channel configuration reads the same key).
     */
    @WithDefault("cpu")
    String profile();

    /** Stable evaluator id, reported in each result; defaults to {@code <hostname>-<pid>}. */
    Optional<String> id();

    /** How long to wait for the broker to acknowledge a result before the request is nacked. */
    @WithDefault("60s")
    Duration publishTimeout();

    /** How often this evaluator renews its heartbeat in Redis; the heartbeat lives three times as long. */
    @WithDefault("2s")
    Duration heartbeatInterval();

    /**
     * How latency is measured on this evaluator's device. Runtime, threads and batch come from the device profile
     * ({@code dev.pocketmesh.device.DeviceProfile}); set them here only to override the profile.
     */
    Latency latency();

    interface Latency {
        /**
         * The runtime that runs the candidate for accuracy and latency: {@code onnxruntime} (the exported
         * {@code model.onnx} in ONNX Runtime, the deployment runtime) or {@code djl} (the training runtime).
         * Default: the profile's (ONNX Runtime).
         */
        Optional<Runtime> runtime();

        /** Intra-op threads for inference, reported with every latency. Default: the profile's. */
        Optional<Integer> threads();

        /** The batch of the second latency measurement, beside batch 1 (1 = none). Default: the profile's. */
        Optional<Integer> batch();

        /** Untimed runs per model before timing. */
        @WithDefault("10")
        int warmup();

        /** Timed runs per model; the baseline and the candidate alternate in rounds. */
        @WithDefault("60")
        int runs();

        /**
         * The most latency-table pieces an evaluator times up front for one channel-pruning job, when it measures the
         * job's baseline (the pieces any proposal of the search can need; LeNet-5 needs 180, ResNet-20 280 at channel
         * multiple 8). A bigger grid is timed one unit at a time, and cut at this many pieces.
         */
        @WithDefault("1000")
        int gridMaxPieces();
    }

    enum Runtime {
        onnxruntime, djl
    }
}
