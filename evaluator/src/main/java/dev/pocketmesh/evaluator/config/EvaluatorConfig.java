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

    /** How batch-1 latency is measured on this evaluator's device. */
    Latency latency();

    interface Latency {
        /**
         * The runtime that runs the candidate for accuracy and latency: {@code onnxruntime} (the exported
         * {@code model.onnx} in ONNX Runtime, the deployment runtime) or {@code djl} (the training runtime).
         */
        @WithDefault("onnxruntime")
        Runtime runtime();

        /** Intra-op threads for inference, reported with every latency. */
        @WithDefault("1")
        int threads();

        /** Untimed runs per model before timing. */
        @WithDefault("10")
        int warmup();

        /** Timed runs per model; the baseline and the candidate alternate in rounds. */
        @WithDefault("60")
        int runs();
    }

    enum Runtime {
        onnxruntime, djl
    }
}
