package dev.pocketmesh.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.device.DeviceProfile;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.learner.LearnerDescriptor;
import dev.pocketmesh.learner.PipelineLearner;
import dev.pocketmesh.search.Optimizers;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Turns a job document into a {@link JobSpec}, or refuses it with every bad field named: unknown fields,
 * missing ones, wrong types, values out of range, unknown learners and optimisers, learner parameters the
 * learner rejects, and dataset paths that do not exist. Defaults are filled in here, in one place.
 */
public final class JobSpecValidator {
    public static final Set<String> DATASET_FORMATS = Set.of("idx", "cifar10", "image-folder", "synthetic");
    /** Built-in networks a job may name: those the zoo builds, and those it will (DESIGN §4). */
    public static final Set<String> ZOO = java.util.stream.Stream.concat(
            dev.pocketmesh.model.ModelZoo.NAMES.stream(), dev.pocketmesh.model.ModelZoo.PLANNED.stream())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
    /** Dataset formats whose files fix the image size, so {@code dataset.imageSize} is refused for them. */
    public static final Set<String> FIXED_SIZE_FORMATS = Set.of("idx", "cifar10");
    /** Bounds of {@code dataset.imageSize}, the side of image-folder and synthetic images. */
    public static final int MIN_IMAGE_SIZE = 8;
    public static final int MAX_IMAGE_SIZE = 512;
    public static final int MAX_TRIALS = 10_000;
    public static final int MAX_PARALLELISM = 256;
    public static final Set<String> OBJECTIVES = Set.of(JobSpec.Search.ACCURACY, JobSpec.Search.PARETO);
    /** Costs a Pareto search trades accuracy against; the first is the default. */
    public static final List<String> PARETO_COSTS = List.of("latencyMs", "bytes");
    public static final List<String> PARETO_PICKS = List.of(JobSpec.Pareto.KNEE, JobSpec.Pareto.MAX_ACCURACY_UNDER);
    public static final Set<String> EARLY_STOPPING = Set.of(JobSpec.EarlyStopping.ASHA, "none");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern DEVICE_PROFILE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern DEVICES = Pattern.compile("auto|cpu|gpu|gpu:\\d+(,\\d+)*");

    private final LearnerCatalog learners;
    static final Set<String> TRAINING_OPTIMIZERS = Set.of("sgd", "adam");
    static final Set<String> TRAINING_SCHEDULES = Set.of("cosine", "step", "constant");

    private final Predicate<String> datasetPathExists;
    private final JobPolicy policy;

    /**
     * @param datasetPathExists tells whether a dataset path can be read where trials run; pass
     *                          {@code p -> true} where this process cannot see the workers' files
     */
    public JobSpecValidator(LearnerCatalog learners, Predicate<String> datasetPathExists) {
        this(learners, datasetPathExists, JobPolicy.UNRESTRICTED);
    }

    /** @param policy where a job's files may lie and how large it may be (the mesh operator's limits) */
    public JobSpecValidator(LearnerCatalog learners, Predicate<String> datasetPathExists, JobPolicy policy) {
        this.learners = learners;
        this.datasetPathExists = datasetPathExists;
        this.policy = policy;
    }

    /** The dataset-path check for a process that sees the workers' files: a path that cannot even be parsed is missing. */
    public static boolean localPathExists(String path) {
        try {
            return java.nio.file.Files.exists(java.nio.file.Path.of(path));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    public JobSpec validate(JsonNode root) {
        List<FieldError> errors = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new JobSpecException(List.of(new FieldError("(document)", "must be an object")));
        }
        unknownFields(root, "", Set.of("name", "model", "dataset", "compression", "search", "training",
                "evaluation"), errors);

        String name = requiredText(root, "name", errors);
        if (name != null && !NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be 1-64 letters, digits, '.', '_' or '-' (got '" + name + "')"));
        }
        JobSpec.Model model = model(root.get("model"), errors);
        JobSpec.Dataset dataset = dataset(root.get("dataset"), errors);
        JobSpec.Compression compression = compression(root.get("compression"), errors);
        JobSpec.Search search = search(root.get("search"), errors);
        JobSpec.Training training = training(root.get("training"), errors);
        JobSpec.Evaluation evaluation = evaluation(root.get("evaluation"), errors);

        if (!errors.isEmpty()) {
            throw new JobSpecException(errors);
        }
        if (search.earlyStopping() != null && search.earlyStopping().minEpochs() >= training.epochs()) {
            errors.add(new FieldError("search.earlyStopping.minEpochs", "must be below training.epochs ("
                    + training.epochs() + "), or no trial could stop early (got " + search.earlyStopping().minEpochs()
                    + ")"));
            throw new JobSpecException(errors);
        }
        JobSpec spec = new JobSpec(name, model, dataset, compression, search, training, evaluation);
        errors.addAll(policy.checkLimits(spec));
        if (!errors.isEmpty()) {
            throw new JobSpecException(errors);
        }
        // Checks across fields (does the model fit the data, can the target be met?) once each field is valid.
        LearnerDescriptor learner = learners.get(compression.learner());
        errors.addAll(learner.validateJob(spec));
        if (errors.isEmpty() && policy.maxModelParams() < Long.MAX_VALUE) {
            // Errors building the network are the learner's to report (above); only its size is judged here.
            dev.pocketmesh.learner.JobNetwork.resolve(spec, new ArrayList<>()).ifPresent(net -> {
                long params = dev.pocketmesh.model.CostModel.params(net);
                if (params > policy.maxModelParams()) {
                    errors.add(new FieldError(spec.model().zoo() != null ? "model.zoo" : "model.uri", "has " + params
                            + " parameters, above this mesh's limit of " + policy.maxModelParams()
                            + " (pocketmesh.limits.max-model-params)"));
                }
            });
        }
        if (errors.isEmpty() && search.trials() > 1 && learner.searchSpace(spec).parameters().isEmpty()) {
            errors.add(new FieldError("search.trials", "nothing to search: these parameters fix every setting of "
                    + compression.learner() + " (give a target such as equivalentBits, or scope: per-layer, to search "
                    + "per layer); use trials: 1 (got " + search.trials() + ")"));
        }
        if (!errors.isEmpty()) {
            throw new JobSpecException(errors);
        }
        return spec;
    }

    private JobSpec.Model model(JsonNode node, List<FieldError> errors) {
        if (!requiredObject(node, "model", errors)) {
            return null;
        }
        unknownFields(node, "model.", Set.of("zoo", "uri", "onnx"), errors);
        String zoo = optionalText(node, "zoo", "model.zoo", errors);
        String uri = optionalText(node, "uri", "model.uri", errors);
        String onnx = optionalText(node, "onnx", "model.onnx", errors);
        if (java.util.stream.Stream.of(zoo, uri, onnx).filter(java.util.Objects::nonNull).count() != 1) {
            errors.add(new FieldError("model", "give exactly one of 'zoo' (a built-in network), 'uri' (a model "
                    + "directory) or 'onnx' (an .onnx file)"));
        } else if (zoo != null && !ZOO.contains(zoo)) {
            errors.add(new FieldError("model.zoo", "unknown network '" + zoo + "'; known: " + sorted(ZOO)));
        } else if (uri != null) {
            JobPolicy.confine("model.uri", uri, policy.modelRoots()).ifPresent(errors::add);
        } else if (onnx != null) {
            java.util.Optional<FieldError> outside = JobPolicy.confine("model.onnx", onnx, policy.modelRoots());
            if (outside.isPresent()) {
                errors.add(outside.get());
            } else {
                onnx(onnx, errors);
            }
        }
        return new JobSpec.Model(zoo, uri, onnx);
    }

    /**
     * An .onnx file must exist and import (supported operators, a sound graph), so the user hears it at intake,
     * before any training. Where this process cannot see the workers' files, the import is checked by the worker.
     */
    private void onnx(String onnx, List<FieldError> errors) {
        java.nio.file.Path file;
        try {
            file = dev.pocketmesh.learner.JobNetwork.directory(onnx);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("model.onnx", "not a file path or file: URI: " + e.getMessage()));
            return;
        }
        if (!datasetPathExists.test(file.toString())) {
            errors.add(new FieldError("model.onnx", "no such file: " + onnx));
        } else if (java.nio.file.Files.isDirectory(file)) {
            errors.add(new FieldError("model.onnx", onnx + " is a directory, not an .onnx file (a model directory "
                    + "is given as model.uri)"));
        } else if (java.nio.file.Files.isRegularFile(file)) {
            try {
                dev.pocketmesh.model.OnnxImport.read(file);
            } catch (dev.pocketmesh.model.OnnxImportException e) {
                errors.add(new FieldError("model.onnx", "cannot import " + onnx + ": " + e.getMessage()));
            }
        }
    }

    private JobSpec.Dataset dataset(JsonNode node, List<FieldError> errors) {
        if (!requiredObject(node, "dataset", errors)) {
            return null;
        }
        unknownFields(node, "dataset.", Set.of("format", "path", "limit", "classes", "imageSize"), errors);
        String format = optionalText(node, "format", "dataset.format", errors);
        String path = optionalText(node, "path", "dataset.path", errors);
        Integer limit = optionalInt(node, "limit", "dataset.limit", 1, Integer.MAX_VALUE, null, errors);
        Integer classes = optionalInt(node, "classes", "dataset.classes", 2, Integer.MAX_VALUE, null, errors);
        Integer imageSize = optionalInt(node, "imageSize", "dataset.imageSize", MIN_IMAGE_SIZE, MAX_IMAGE_SIZE, null,
                errors);
        if (format == null) {
            errors.add(new FieldError("dataset.format", "is required; one of " + sorted(DATASET_FORMATS)));
        } else if (!DATASET_FORMATS.contains(format)) {
            errors.add(new FieldError("dataset.format", "unknown format '" + format + "'; one of "
                    + sorted(DATASET_FORMATS)));
        } else {
            if (!format.equals("synthetic")) {
                Optional<FieldError> outside = path == null || path.isBlank() ? Optional.empty()
                        : JobPolicy.confine("dataset.path", path, policy.datasetRoots());
                if (path == null || path.isBlank()) {
                    errors.add(new FieldError("dataset.path", "is required for format '" + format + "'"));
                } else if (outside.isPresent()) {
                    // Checked before existence, so a refused job learns nothing about files outside the roots.
                    errors.add(outside.get());
                } else if (!datasetPathExists.test(path)) {
                    errors.add(new FieldError("dataset.path", "does not exist: " + path));
                }
            }
            if (FIXED_SIZE_FORMATS.contains(format) && node.hasNonNull("imageSize")) {
                errors.add(new FieldError("dataset.imageSize", "cannot be set for format '" + format
                        + "': its files fix the image size; only image-folder and synthetic images are sized"));
            }
        }
        return new JobSpec.Dataset(format, path, limit, classes, imageSize);
    }

    private JobSpec.Compression compression(JsonNode node, List<FieldError> errors) {
        if (!requiredObject(node, "compression", errors)) {
            return null;
        }
        unknownFields(node, "compression.", Set.of("learner", "params", "target", "distillation", "pipeline",
                PipelineLearner.SEARCH), errors);
        JsonNode pipeline = node.get("pipeline");
        JsonNode pipelineSearch = node.get(PipelineLearner.SEARCH);
        if (pipelineSearch != null && !pipelineSearch.isNull() && (pipeline == null || pipeline.isNull())) {
            errors.add(new FieldError("compression." + PipelineLearner.SEARCH, "applies to a pipeline only; give "
                    + "compression.pipeline"));
        }
        String learnerName;
        Map<String, Object> params = Map.of();
        if (pipeline != null && !pipeline.isNull()) {
            // 'pipeline: [stages]' is the pipeline learner with its stages as parameters.
            if (node.hasNonNull("learner") || node.hasNonNull("params")) {
                errors.add(new FieldError("compression.pipeline", "give either a pipeline of stages or one learner "
                        + "with params, not both"));
            }
            learnerName = PipelineLearner.NAME;
            params = new LinkedHashMap<>();
            params.put(PipelineLearner.STAGES, Json.mapper().convertValue(pipeline, Object.class));
            if (pipelineSearch != null && !pipelineSearch.isNull()) {
                params.put(PipelineLearner.SEARCH, pipelineSearch.isTextual() ? pipelineSearch.asText()
                        : pipelineSearch.toString());
            }
        } else {
            learnerName = optionalText(node, "learner", "compression.learner", errors);
            JsonNode paramsNode = node.get("params");
            if (paramsNode != null && !paramsNode.isNull()) {
                if (!paramsNode.isObject()) {
                    errors.add(new FieldError("compression.params", "must be an object"));
                } else {
                    params = Json.mapper().convertValue(paramsNode, Json.mapper().getTypeFactory()
                            .constructMapType(LinkedHashMap.class, String.class, Object.class));
                }
            }
        }
        LearnerDescriptor learner = null;
        if (learnerName == null) {
            errors.add(new FieldError("compression.learner", "is required; one of " + learners.names()));
        } else {
            learner = learners.find(learnerName).orElse(null);
            if (learner == null) {
                errors.add(new FieldError("compression.learner", "unknown learner '" + learnerName + "'; known: "
                        + learners.names()));
            }
        }
        Map<String, Double> target = new LinkedHashMap<>();
        JsonNode targetNode = node.get("target");
        if (targetNode != null && !targetNode.isNull()) {
            if (!targetNode.isObject()) {
                errors.add(new FieldError("compression.target", "must be an object of numbers"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = targetNode.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String field = "compression.target." + e.getKey();
                    if (dev.pocketmesh.search.Objective.MEASURED_TARGETS.contains(e.getKey())) {
                        // Latency targets are measured on the device profile, whatever the learner.
                        if (!e.getValue().isNumber() || !(e.getValue().asDouble() > 0)
                                || (e.getKey().equals(dev.pocketmesh.search.Objective.LATENCY_RATIO)
                                        && e.getValue().asDouble() < 1)) {
                            errors.add(new FieldError(field, e.getKey().equals(dev.pocketmesh.search.Objective.LATENCY_MS)
                                    ? "must be a positive number of milliseconds (got " + e.getValue() + ")"
                                    : "must be a speedup >= 1 (baseline latency / candidate latency; got "
                                            + e.getValue() + ")"));
                        } else {
                            target.put(e.getKey(), e.getValue().asDouble());
                        }
                    } else if (learner != null && !learner.targets().contains(e.getKey())) {
                        errors.add(new FieldError(field, "learner '" + learner.name()
                                + "' does not support this target; supported: " + sorted(learner.targets())
                                + " and, for every learner, " + sorted(dev.pocketmesh.search.Objective.MEASURED_TARGETS)));
                    } else if (!e.getValue().isNumber() || !(e.getValue().asDouble() > 0)) {
                        errors.add(new FieldError(field, "must be a positive number (got " + e.getValue() + ")"));
                    } else if (learner != null && learner.checkTarget(e.getKey(), e.getValue().asDouble()).isPresent()) {
                        errors.add(new FieldError(field, learner.checkTarget(e.getKey(), e.getValue().asDouble())
                                .get()));
                    } else {
                        target.put(e.getKey(), e.getValue().asDouble());
                    }
                }
            }
        }
        if (learner != null) {
            String prefix = PipelineLearner.NAME.equals(learnerName) && pipeline != null ? "compression"
                    : "compression.params";
            List<FieldError> paramErrors = learner.validate(params, prefix);
            errors.addAll(paramErrors);
            if (paramErrors.isEmpty()) {
                params = learner.withDefaults(params);
            }
        }
        return new JobSpec.Compression(learnerName, params, target, distillation(node.get("distillation"), errors));
    }

    private static JobSpec.Distillation distillation(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new FieldError("compression.distillation", "must be an object {temperature, weight}"));
            return null;
        }
        unknownFields(node, "compression.distillation.", Set.of("temperature", "weight"), errors);
        double temperature = 4;
        double weight = 0.7;
        JsonNode t = node.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || !(t.asDouble() > 0 && t.asDouble() <= 100)) {
                errors.add(new FieldError("compression.distillation.temperature", "must be a number in (0, 100] (got "
                        + t + ")"));
            } else {
                temperature = t.asDouble();
            }
        }
        JsonNode w = node.get("weight");
        if (w != null && !w.isNull()) {
            if (!w.isNumber() || !(w.asDouble() >= 0 && w.asDouble() <= 1)) {
                errors.add(new FieldError("compression.distillation.weight", "must be a number in [0, 1] (got " + w
                        + ")"));
            } else {
                weight = w.asDouble();
            }
        }
        return new JobSpec.Distillation(temperature, weight);
    }

    private JobSpec.Search search(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return new JobSpec.Search(Optimizers.RANDOM, 20, 1, 0);
        }
        if (!node.isObject()) {
            errors.add(new FieldError("search", "must be an object"));
            return null;
        }
        unknownFields(node, "search.", Set.of("optimizer", "trials", "parallelism", "seed", "objective", "pareto",
                "earlyStopping"), errors);
        String optimizer = optionalText(node, "optimizer", "search.optimizer", errors);
        if (optimizer == null) {
            optimizer = Optimizers.RANDOM;
        } else if (!Optimizers.NAMES.contains(optimizer)) {
            errors.add(new FieldError("search.optimizer", "unknown optimizer '" + optimizer + "'; known: "
                    + Optimizers.ORDERED));
        }
        Integer trials = optionalInt(node, "trials", "search.trials", 1, MAX_TRIALS, 20, errors);
        Integer parallelism = optionalInt(node, "parallelism", "search.parallelism", 1, MAX_PARALLELISM, 1, errors);
        JsonNode seedNode = node.get("seed");
        long seed = 0;
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.canConvertToLong() || !seedNode.isIntegralNumber()) {
                errors.add(new FieldError("search.seed", "must be an integer (got " + seedNode + ")"));
            } else {
                seed = seedNode.asLong();
            }
        }
        String objective = optionalText(node, "objective", "search.objective", errors);
        if (objective == null) {
            objective = JobSpec.Search.ACCURACY;
        } else if (!OBJECTIVES.contains(objective)) {
            errors.add(new FieldError("search.objective", "unknown objective '" + objective + "'; one of "
                    + sorted(OBJECTIVES)));
        }
        JobSpec.Pareto pareto = pareto(node.get("pareto"), JobSpec.Search.PARETO.equals(objective), errors);
        JobSpec.EarlyStopping earlyStopping = earlyStopping(node.get("earlyStopping"), errors);
        if (earlyStopping != null && JobSpec.Search.PARETO.equals(objective)) {
            // A rung ranks trials by accuracy alone: it would stop exactly the cheap, less accurate trials a front needs.
            errors.add(new FieldError("search.earlyStopping", "does not combine with objective: pareto (early stopping "
                    + "ranks trials by accuracy alone and would stop the cheap members of the front)"));
        }
        return new JobSpec.Search(optimizer, trials == null ? 0 : trials, parallelism == null ? 0 : parallelism,
                seed, objective, pareto, earlyStopping);
    }

    /** {@code search.pareto}: only with {@code objective: pareto}, which gets cost latencyMs and pick knee by default. */
    private JobSpec.Pareto pareto(JsonNode node, boolean paretoObjective, List<FieldError> errors) {
        boolean given = node != null && !node.isNull();
        if (given && !paretoObjective) {
            errors.add(new FieldError("search.pareto", "only applies to objective: pareto"));
            return null;
        }
        if (!paretoObjective) {
            return null;
        }
        if (given && !node.isObject()) {
            errors.add(new FieldError("search.pareto", "must be an object"));
            return null;
        }
        if (!given) {
            return new JobSpec.Pareto(PARETO_COSTS.get(0), JobSpec.Pareto.KNEE, null);
        }
        unknownFields(node, "search.pareto.", Set.of("cost", "pick", "bound"), errors);
        String cost = optionalText(node, "cost", "search.pareto.cost", errors);
        if (cost == null) {
            cost = PARETO_COSTS.get(0);
        } else if (!PARETO_COSTS.contains(cost)) {
            errors.add(new FieldError("search.pareto.cost", "unknown cost '" + cost + "'; one of " + PARETO_COSTS));
        }
        String pick = optionalText(node, "pick", "search.pareto.pick", errors);
        if (pick == null) {
            pick = JobSpec.Pareto.KNEE;
        } else if (!PARETO_PICKS.contains(pick)) {
            errors.add(new FieldError("search.pareto.pick", "unknown pick '" + pick + "'; one of " + PARETO_PICKS));
        }
        JsonNode boundNode = node.get("bound");
        Double bound = null;
        if (boundNode != null && !boundNode.isNull()) {
            if (!boundNode.isNumber() || !(boundNode.asDouble() > 0)) {
                errors.add(new FieldError("search.pareto.bound", "must be a number > 0 (got " + boundNode + ")"));
            } else {
                bound = boundNode.asDouble();
            }
        }
        if (JobSpec.Pareto.MAX_ACCURACY_UNDER.equals(pick) && bound == null && !errors.stream()
                .anyMatch(e -> e.field().equals("search.pareto.bound"))) {
            errors.add(new FieldError("search.pareto.bound", "is required by pick: max-accuracy-under (the largest "
                    + cost + " the final model may have)"));
        }
        if (JobSpec.Pareto.KNEE.equals(pick) && bound != null) {
            errors.add(new FieldError("search.pareto.bound", "only applies to pick: max-accuracy-under"));
        }
        return new JobSpec.Pareto(cost, pick, bound);
    }

    /** {@code search.earlyStopping}: absent or {@code type: none} means every trial trains all its epochs. */
    private JobSpec.EarlyStopping earlyStopping(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new FieldError("search.earlyStopping", "must be an object"));
            return null;
        }
        unknownFields(node, "search.earlyStopping.", Set.of("type", "minEpochs", "reductionFactor", "graceTrials"),
                errors);
        String type = optionalText(node, "type", "search.earlyStopping.type", errors);
        if (type == null) {
            type = JobSpec.EarlyStopping.ASHA;
        } else if (!EARLY_STOPPING.contains(type)) {
            errors.add(new FieldError("search.earlyStopping.type", "unknown type '" + type + "'; one of "
                    + sorted(EARLY_STOPPING)));
            return null;
        }
        Integer minEpochs = optionalInt(node, "minEpochs", "search.earlyStopping.minEpochs", 1, 10_000, 1, errors);
        Integer factor = optionalInt(node, "reductionFactor", "search.earlyStopping.reductionFactor", 2, 16, 3,
                errors);
        Integer grace = optionalInt(node, "graceTrials", "search.earlyStopping.graceTrials", 1, MAX_TRIALS,
                factor == null ? 3 : factor, errors);
        if ("none".equals(type) || minEpochs == null || factor == null || grace == null) {
            return null;
        }
        return new JobSpec.EarlyStopping(type, minEpochs, factor, grace);
    }

    private JobSpec.Training training(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            errors.add(new FieldError("training", "must be an object"));
            return null;
        }
        unknownFields(node, "training.", Set.of("epochs", "batchSize", "learningRate", "devices", "optimizer",
                "schedule", "weightDecay", "baselineEpochs", "baselineLearningRate", "finalEpochs"), errors);
        Integer epochs = optionalInt(node, "epochs", "training.epochs", 1, 10_000, 1, errors);
        Integer batchSize = optionalInt(node, "batchSize", "training.batchSize", 1, 65_536, 64, errors);
        double learningRate = optionalNumber(node, "learningRate", 0, 10, 0.01, errors);
        String devices = optionalText(node, "devices", "training.devices", errors);
        if (devices == null) {
            devices = "auto";
        } else if (!DEVICES.matcher(devices).matches()) {
            errors.add(new FieldError("training.devices", "must be auto, cpu, gpu or gpu:<i>,<j>,... (got '"
                    + devices + "')"));
        }
        String optimizer = oneOf(node, "optimizer", TRAINING_OPTIMIZERS, "sgd", errors);
        String schedule = oneOf(node, "schedule", TRAINING_SCHEDULES, "cosine", errors);
        double weightDecay = optionalNumber(node, "weightDecay", -1, 1, 5e-4, errors);
        Integer baselineEpochs = optionalInt(node, "baselineEpochs", "training.baselineEpochs", 0, 10_000, 4, errors);
        double baselineLearningRate = optionalNumber(node, "baselineLearningRate", 0, 10, 0.05, errors);
        int defaultFinal = 2 * (epochs == null ? 1 : epochs);
        Integer finalEpochs = optionalInt(node, "finalEpochs", "training.finalEpochs", 0, 10_000, defaultFinal, errors);
        return new JobSpec.Training(epochs == null ? 0 : epochs, batchSize == null ? 0 : batchSize, learningRate,
                devices, optimizer, schedule, weightDecay, baselineEpochs == null ? 0 : baselineEpochs,
                baselineLearningRate, finalEpochs == null ? 0 : finalEpochs);
    }

    /** A number in (min, max] (weightDecay allows 0: its min is given as -1 and checked as >= 0). */
    private static double optionalNumber(JsonNode node, String name, double min, double max, double fallback,
            List<FieldError> errors) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        boolean ok = v.isNumber() && (min < 0 ? v.asDouble() >= 0 : v.asDouble() > min) && v.asDouble() <= max;
        if (!ok) {
            errors.add(new FieldError("training." + name, "must be a number in " + (min < 0 ? "[0, " : "(" + fmtNum(min)
                    + ", ") + fmtNum(max) + "] (got " + v + ")"));
            return fallback;
        }
        return v.asDouble();
    }

    private static String fmtNum(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private String oneOf(JsonNode node, String name, Set<String> allowed, String fallback, List<FieldError> errors) {
        String value = optionalText(node, name, "training." + name, errors);
        if (value == null) {
            return fallback;
        }
        if (!allowed.contains(value)) {
            errors.add(new FieldError("training." + name, "unknown " + name + " '" + value + "'; one of "
                    + sorted(allowed)));
            return fallback;
        }
        return value;
    }

    private JobSpec.Evaluation evaluation(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return new JobSpec.Evaluation(DeviceProfile.DEFAULT);
        }
        if (!node.isObject()) {
            errors.add(new FieldError("evaluation", "must be an object"));
            return null;
        }
        unknownFields(node, "evaluation.", Set.of("device", "alsoMeasureOn"), errors);
        String device = optionalText(node, "device", "evaluation.device", errors);
        if (device == null) {
            device = DeviceProfile.DEFAULT;
        } else {
            checkProfile(device, "evaluation.device", errors);
        }
        return new JobSpec.Evaluation(device, alsoMeasureOn(node.get("alsoMeasureOn"), device, errors));
    }

    /** The extra profiles of the final model: known, each once, and not the primary {@code device} again. */
    private static List<String> alsoMeasureOn(JsonNode node, String device, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            errors.add(new FieldError("evaluation.alsoMeasureOn", "must be a list of device profile names (got "
                    + node + ")"));
            return List.of();
        }
        List<String> listed = new ArrayList<>(); // as written, by index, so a duplicate can point at the first
        List<String> profiles = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "evaluation.alsoMeasureOn[" + i + "]";
            JsonNode item = node.get(i);
            String profile = item.isTextual() ? item.asText() : null;
            if (profile == null) {
                errors.add(new FieldError(path, "must be a device profile name (got " + item + ")"));
            } else if (profile.equals(device)) {
                errors.add(new FieldError(path, "'" + device + "' is already evaluation.device, which measures "
                        + "every candidate; list only other profiles"));
            } else if (listed.contains(profile)) {
                errors.add(new FieldError(path, "'" + profile + "' is listed twice (first at index "
                        + listed.indexOf(profile) + ")"));
            } else if (checkProfile(profile, path, errors)) {
                profiles.add(profile);
            }
            listed.add(profile);
        }
        return profiles;
    }

    /** Adds the error when {@code profile} is not a known device profile; true when it is. */
    private static boolean checkProfile(String profile, String path, List<FieldError> errors) {
        if (!DEVICE_PROFILE.matcher(profile).matches()) {
            errors.add(new FieldError(path,
                    "must be a device profile name of lowercase letters, digits and '-' (got '" + profile + "')"));
            return false;
        }
        if (DeviceProfile.find(profile).isEmpty()) {
            errors.add(new FieldError(path, "unknown device profile '" + profile + "'; known: "
                    + DeviceProfile.names()));
            return false;
        }
        return true;
    }

    private static void unknownFields(JsonNode node, String prefix, Set<String> known, List<FieldError> errors) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!known.contains(field)) {
                errors.add(new FieldError(prefix + field, "unknown field; known: " + sorted(known)));
            }
        }
    }

    private static boolean requiredObject(JsonNode node, String field, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            errors.add(new FieldError(field, "is required"));
            return false;
        }
        if (!node.isObject()) {
            errors.add(new FieldError(field, "must be an object"));
            return false;
        }
        return true;
    }

    private static String requiredText(JsonNode parent, String field, List<FieldError> errors) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return node.asText();
    }

    private static String optionalText(JsonNode parent, String field, String path, List<FieldError> errors) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(path, "must be a string (got " + node + ")"));
            return null;
        }
        return node.asText();
    }

    private static Integer optionalInt(JsonNode parent, String field, String path, int min, int max,
            Integer fallback, List<FieldError> errors) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            String range = max == Integer.MAX_VALUE ? ">= " + min : "in [" + min + ", " + max + "]";
            errors.add(new FieldError(path, "must be an integer " + range + " (got " + node + ")"));
            return null;
        }
        return node.asInt();
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
