package dev.pocketmesh.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A compression job as the user writes it (YAML or JSON). Parse and validate it with {@link JobSpecParser};
 * a {@code JobSpec} instance has always passed validation, with defaults filled in.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSpec(String name, Model model, Dataset dataset, Compression compression, Search search,
        Training training, Evaluation evaluation) {

    /**
     * Exactly one of {@code zoo} (a built-in network name), {@code uri} (a model directory: net.json + weights) or
     * {@code onnx} (an .onnx file, path or {@code file:} URI, imported with its weights).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(String zoo, String uri, String onnx) {
        /** A zoo network or a model directory. */
        public Model(String zoo, String uri) {
            this(zoo, uri, null);
        }
    }

    /**
     * {@code format}: idx, cifar10, image-folder or synthetic; {@code path} for every format but synthetic.
     * {@code limit} caps the training examples (validation and test get max(100, limit / 5) each);
     * {@code classes} is the class count the labels must fit (default: what the data holds);
     * {@code imageSize} is the side of image-folder (default 32) and synthetic (default 28) images, and may not be
     * set for idx and cifar10, whose files fix it. Each optional field is null when not given.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Dataset(String format, String path, Integer limit, Integer classes, Integer imageSize) {
        /** A dataset with the data's own class count and the format's default image size. */
        public Dataset(String format, String path, Integer limit) {
            this(format, path, limit, null, null);
        }
    }

    /**
     * A learner, its parameters, the target every proposal must meet (e.g. {@code flopsRatio: 2}), and optionally
     * distillation from the uncompressed model while fine-tuning (null for none). A pipeline is the learner
     * {@code pipeline} with {@code params.stages}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Compression(String learner, Map<String, Object> params, Map<String, Double> target,
            Distillation distillation) {
        public Compression(String learner, Map<String, Object> params, Map<String, Double> target) {
            this(learner, params, target, null);
        }
    }

    /**
     * Knowledge distillation: the uncompressed model teaches the candidate, {@code (1 - weight) * CE + weight * T^2 *
     * KL(teacher / T || student / T)} with T = {@code temperature}.
     */
    public record Distillation(double temperature, double weight) {
    }

    /**
     * The study: optimiser, trial budget, trials in flight at once, the seed that makes it repeatable, what it
     * maximises ({@code objective}: {@code accuracy} under the targets, or {@code pareto}: accuracy against a cost,
     * then {@code pareto} says which cost and how the final model is picked from the front), and early stopping
     * ({@code earlyStopping}: null when every trial runs all its epochs).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Search(String optimizer, int trials, int parallelism, long seed, String objective, Pareto pareto,
            EarlyStopping earlyStopping) {
        public static final String ACCURACY = "accuracy";
        public static final String PARETO = "pareto";

        public Search {
            // Specs stored before these fields existed read back as the single-objective search they were.
            if (objective == null) {
                objective = ACCURACY;
            }
        }

        /** A single-objective search without early stopping. */
        public Search(String optimizer, int trials, int parallelism, long seed) {
            this(optimizer, trials, parallelism, seed, ACCURACY, null, null);
        }

        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isPareto() {
            return PARETO.equals(objective);
        }
    }

    /**
     * {@code objective: pareto}: the front of (accuracy up, {@code cost} down), cost {@code latencyMs} or
     * {@code bytes}; the final model is the front's knee point ({@code pick: knee}) or its most accurate member
     * whose cost is at most {@code bound} ({@code pick: max-accuracy-under}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pareto(String cost, String pick, Double bound) {
        public static final String KNEE = "knee";
        public static final String MAX_ACCURACY_UNDER = "max-accuracy-under";
    }

    /**
     * ASHA (asynchronous successive halving) over fine-tune epochs: rungs at {@code minEpochs · reductionFactor^k}
     * epochs; a search trial passes a rung only when its validation accuracy there is in the top
     * {@code 1 / reductionFactor} of the trials that reached it, otherwise it ends PRUNED. The first
     * {@code graceTrials} trials to reach a rung always pass (there is nothing to compare them with yet).
     */
    public record EarlyStopping(String type, int minEpochs, int reductionFactor, int graceTrials) {
        public static final String ASHA = "asha";
    }

    /**
     * How candidates are trained. {@code epochs} / {@code learningRate}: fine-tuning per search trial;
     * {@code finalEpochs}: fine-tuning of the chosen configuration; {@code baselineEpochs} /
     * {@code baselineLearningRate}: training the uncompressed model from scratch when the job brings no weights.
     * {@code optimizer}: sgd (momentum 0.9) or adam; {@code schedule}: cosine, step or constant;
     * {@code devices}: auto (every GPU of the worker, else the CPU), cpu, gpu or gpu:0,1,...
     */
    public record Training(int epochs, int batchSize, double learningRate, String devices, String optimizer,
            String schedule, double weightDecay, int baselineEpochs, double baselineLearningRate, int finalEpochs) {

        /** The fine-tuning budget only; the rest at their defaults. */
        public Training(int epochs, int batchSize, double learningRate, String devices) {
            this(epochs, batchSize, learningRate, devices, "sgd", "cosine", 5e-4, 4, 0.05, 2 * epochs);
        }
    }

    /**
     * The device profile that measures candidates (one of {@code dev.pocketmesh.device.DeviceProfile}, which holds its
     * runtime, threads and batch); its evaluators consume {@code pocketmesh.evaluations.<device>}, and it alone drives
     * the search and the objective's latency. {@code alsoMeasureOn}: further profiles the final model is measured on
     * once it is evaluated on {@code device} (each by its own evaluators, a row per profile in the report); empty for
     * none.
     */
    public record Evaluation(String device, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> alsoMeasureOn) {
        public Evaluation {
            // Specs stored before the field existed, and jobs that name no extra profile, measure on one profile.
            alsoMeasureOn = alsoMeasureOn == null ? List.of() : List.copyOf(alsoMeasureOn);
        }

        /** Measured on {@code device} only. */
        public Evaluation(String device) {
            this(device, List.of());
        }
    }
}
