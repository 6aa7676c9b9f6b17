package dev.pocketmesh.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A compression job as the user writes it (YAML or JSON). Parse and validate it with {@link JobSpecParser};
 * a {@code JobSpec} instance has always passed validation, with defaults filled in.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSpec(String name, Model model, Dataset dataset, Compression compression, Search search,
        Training training, Evaluation evaluation) {

    /** Exactly one of {@code zoo} (a built-in network name) or {@code uri} (an artifact URI). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(String zoo, String uri) {
    }

    /** {@code format}: idx, cifar10, image-folder or synthetic; {@code path} for every format but synthetic. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Dataset(String format, String path, Integer limit) {
    }

    /** A learner, its parameters, and the target every proposal must meet (e.g. {@code flopsRatio: 2}). */
    public record Compression(String learner, Map<String, Object> params, Map<String, Double> target) {
    }

    /** The study: optimiser, trial budget, trials in flight at once, and the seed that makes it repeatable. */
    public record Search(String optimizer, int trials, int parallelism, long seed) {
    }

    /** Fine-tune budget per trial; {@code devices}: auto, cpu, gpu or gpu:0,1,... */
    public record Training(int epochs, int batchSize, double learningRate, String devices) {
    }

    /** The device profile that measures candidates; its evaluators consume {@code pocketmesh.evaluations.<device>}. */
    public record Evaluation(String device) {
    }
}
