package dev.pocketmesh.device;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A device class candidates are measured on, and how: the one place that says what {@code cpu-x86-1t} or
 * {@code cuda} means. A job names a profile ({@code evaluation.device}); an evaluator started with
 * {@code pocketmesh.evaluator.profile} consumes {@code pocketmesh.evaluations.<name>} and measures with these settings.
 *
 * @param arch       the {@code os.arch} family the evaluator must run on ({@code amd64} / {@code aarch64}), or null
 *                   for any
 * @param provider   the ONNX Runtime execution provider: {@code cpu} or {@code cuda}
 * @param threads    intra-op threads for inference, pinned for every latency
 * @param batch      the batch of the second latency measurement ({@code latencyBatchMs}); 1 = batch 1 only
 */
public record DeviceProfile(String name, String description, String arch, String runtime, String provider,
        int threads, int batch) {
    public static final String ONNXRUNTIME = "onnxruntime";
    public static final String CPU = "cpu";
    public static final String CUDA = "cuda";

    /** The profile of jobs that name none, served by the evaluator a local mesh starts. */
    public static final String DEFAULT = dev.pocketmesh.contracts.Topics.DEFAULT_DEVICE_PROFILE;

    public static final List<DeviceProfile> ALL = List.of(
            new DeviceProfile("cpu", "any CPU, ONNX Runtime, 1 thread, batch 1 (the default)", null, ONNXRUNTIME,
                    CPU, 1, 1),
            new DeviceProfile("cpu-x86-1t", "x86-64 CPU, ONNX Runtime, 1 thread, batches 1 and 8", "amd64",
                    ONNXRUNTIME, CPU, 1, 8),
            new DeviceProfile("cpu-x86-4t", "x86-64 CPU, ONNX Runtime, 4 threads, batches 1 and 8", "amd64",
                    ONNXRUNTIME, CPU, 4, 8),
            new DeviceProfile("arm64", "64-bit ARM CPU (Graviton, Apple silicon, phones), ONNX Runtime, 4 threads, "
                    + "batch 1", "aarch64", ONNXRUNTIME, CPU, 4, 1),
            new DeviceProfile("cuda", "NVIDIA GPU, ONNX Runtime's CUDA provider, batches 1 and 32", null, ONNXRUNTIME,
                    CUDA, 1, 32));

    private static final Map<String, DeviceProfile> BY_NAME = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(DeviceProfile::name, Function.identity()));

    public static Optional<DeviceProfile> find(String name) {
        return Optional.ofNullable(name == null ? null : BY_NAME.get(name));
    }

    /** The profile a job is measured on: its {@code evaluation.device}, or {@link #DEFAULT} when it names none. */
    public static String of(dev.pocketmesh.spec.JobSpec spec) {
        return spec.evaluation() == null || spec.evaluation().device() == null ? DEFAULT : spec.evaluation().device();
    }

    public static List<String> names() {
        return ALL.stream().map(DeviceProfile::name).toList();
    }

    /**
     * Why this profile cannot be measured on a machine with {@code os.arch} = {@code osArch}, or empty when it can.
     * A profile's numbers must come from its device class; an x86 evaluator serving {@code arm64} would mislead.
     */
    public Optional<String> mismatch(String osArch) {
        if (arch == null) {
            return Optional.empty();
        }
        String family = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch;
        };
        return family.equals(arch) ? Optional.empty()
                : Optional.of("device profile '" + name + "' measures on " + arch + " but this machine is " + osArch);
    }
}
