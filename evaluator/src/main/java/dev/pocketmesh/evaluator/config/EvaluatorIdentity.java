package dev.pocketmesh.evaluator.config;

import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.device.DeviceProfile;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * This process's evaluator id, its device profile and the measurement settings that follow from it (the profile's,
 * unless {@code pocketmesh.evaluator.latency.*} overrides them), checked once at startup: an unknown profile, or one
 * this machine cannot honestly measure (another CPU architecture, a missing execution provider), stops the evaluator
 * with the reason instead of reporting numbers of the wrong device.
 */
@ApplicationScoped
public class EvaluatorIdentity {
    private final String id;
    private final DeviceProfile device;
    private final EvaluatorConfig.Runtime runtime;
    private final int threads;
    private final int batch;

    public EvaluatorIdentity(EvaluatorConfig config) {
        this.device = DeviceProfile.find(config.profile()).orElseThrow(() -> new IllegalArgumentException(
                "pocketmesh.evaluator.profile: unknown device profile '" + config.profile() + "'; known: "
                        + DeviceProfile.names()));
        device.mismatch(System.getProperty("os.arch")).ifPresent(reason -> {
            throw new IllegalArgumentException("pocketmesh.evaluator.profile: " + reason);
        });
        if (DeviceProfile.CUDA.equals(device.provider())) {
            // The onnxruntime jar from Maven Central is CPU-only; a CUDA evaluator needs the onnxruntime_gpu build.
            var available = ai.onnxruntime.OrtEnvironment.getAvailableProviders();
            if (!available.contains(ai.onnxruntime.OrtProvider.CUDA)) {
                throw new IllegalArgumentException("pocketmesh.evaluator.profile: device profile '" + device.name()
                        + "' needs ONNX Runtime's CUDA execution provider; this ONNX Runtime has " + available);
            }
        }
        this.runtime = config.latency().runtime().orElse(EvaluatorConfig.Runtime.valueOf(device.runtime()));
        this.threads = config.latency().threads().orElse(device.threads());
        this.batch = config.latency().batch().orElse(device.batch());
        if (threads < 1 || batch < 1) {
            throw new IllegalArgumentException("pocketmesh.evaluator.latency.threads and .batch must be >= 1 (got "
                    + threads + ", " + batch + ")");
        }
        this.id = config.id().filter(s -> !s.isBlank()).orElseGet(MessageIds::hostAndPid);
    }

    public String id() {
        return id;
    }

    public String profile() {
        return device.name();
    }

    public DeviceProfile device() {
        return device;
    }

    public EvaluatorConfig.Runtime runtime() {
        return runtime;
    }

    public int threads() {
        return threads;
    }

    /** The batch of the second latency measurement; 1 = batch 1 only. */
    public int batch() {
        return batch;
    }

    /** What this evaluator measures with, as announced in its heartbeat and its status endpoint. */
    public Map<String, Object> settings() {
        return Map.of("id", id, "profile", device.name(), "runtime", runtime.name(), "provider", device.provider(),
                "threads", threads, "batch", batch, "arch", System.getProperty("os.arch"));
    }
}
