package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.search.Parameter;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pipeline}: learners applied one after the other, each fine-tuning what the one before left
 * ({@code compression.pipeline: [{learner, params}, ...]}). The orders that make sense: channel pruning first (it
 * needs the float network with its batch norms), then at most one of weight sparsification, uniform or non-uniform
 * quantization. The stages are searched jointly: one study over the union of their spaces (their configuration keys
 * do not collide: {@code ratio.}, {@code bits.}, {@code sparsity.}), each stage's proposal projected onto its own
 * targets on the network the stages before it produce. Each target goes to the stage that supports it.
 */
public final class PipelineLearner implements LearnerDescriptor {
    public static final String NAME = "pipeline";
    public static final String STAGES = "stages";
    private static final Set<String> LAST_STAGES = Set.of(UniformQuantizationLearner.NAME,
            NonUniformQuantizationLearner.NAME, WeightSparsificationLearner.NAME);

    private final Map<String, LearnerDescriptor> learners = new LinkedHashMap<>();

    public PipelineLearner(LearnerDescriptor... stageLearners) {
        for (LearnerDescriptor d : stageLearners) {
            learners.put(d.name(), d);
        }
    }

    /** One stage of a validated pipeline job: its learner, and the job as that learner alone would see it. */
    public record Stage(LearnerDescriptor learner, JobSpec spec) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "learners in sequence (channel pruning, then quantization or sparsification), searched jointly";
    }

    @Override
    public Set<String> targets() {
        Set<String> all = new LinkedHashSet<>();
        learners.values().forEach(l -> all.addAll(l.targets()));
        return all;
    }

    @Override
    public Optional<String> checkTarget(String key, double value) {
        return learners.values().stream().filter(l -> l.targets().contains(key)).findFirst()
                .flatMap(l -> l.checkTarget(key, value));
    }

    @Override
    public List<FieldError> validate(Map<String, Object> params, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        String field = prefix.equals("compression") ? "compression.pipeline" : prefix + "." + STAGES;
        Object raw = params == null ? null : params.get(STAGES);
        if (!(raw instanceof List<?> stages) || stages.size() < 2) {
            errors.add(new FieldError(field, "must list at least two stages, each {learner, params}"));
            return errors;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            String at = field + "[" + i + "]";
            if (!(stages.get(i) instanceof Map<?, ?> stage) || !(stage.get("learner") instanceof String name)) {
                errors.add(new FieldError(at + ".learner", "is required"));
                continue;
            }
            for (Object key : stage.keySet()) {
                if (!"learner".equals(key) && !"params".equals(key)) {
                    errors.add(new FieldError(at + "." + key, "unknown field; known: [learner, params]"));
                }
            }
            LearnerDescriptor learner = learners.get(name);
            if (learner == null) {
                errors.add(new FieldError(at + ".learner", "unknown stage learner '" + name + "'; one of "
                        + learners.keySet()));
                continue;
            }
            names.add(name);
            errors.addAll(learner.validate(stageParams(stage), at + ".params"));
        }
        if (errors.isEmpty()) {
            orderError(names).ifPresent(reason -> errors.add(new FieldError(field, reason)));
        }
        return errors;
    }

    /** Why an order of stages does not make sense, or empty when it does. */
    static Optional<String> orderError(List<String> names) {
        int pruning = names.indexOf(ChannelPruningLearner.NAME);
        if (pruning > 0) {
            return Optional.of("channel-pruning must be the first stage: it removes channels of the float network with "
                    + "its batch norms, which the stages after it fold, quantize or sparsify (order given: " + names + ")");
        }
        for (int i = 0; i < names.size() - 1; i++) {
            if (LAST_STAGES.contains(names.get(i))) {
                return Optional.of(names.get(i) + " must be the last stage: its output is stored as packed integers, "
                        + "codebooks or sparse blocks, which no later stage takes as input (order given: " + names + ")");
            }
        }
        if (names.stream().distinct().count() < names.size()) {
            return Optional.of("a learner may appear once in a pipeline (order given: " + names + ")");
        }
        return Optional.empty();
    }

    @Override
    public Map<String, Object> withDefaults(Map<String, Object> params) {
        List<Map<String, Object>> stages = new ArrayList<>();
        for (Object o : (List<?>) params.get(STAGES)) {
            Map<?, ?> stage = (Map<?, ?>) o;
            LearnerDescriptor learner = learners.get((String) stage.get("learner"));
            Map<String, Object> filled = new LinkedHashMap<>();
            filled.put("learner", learner.name());
            filled.put("params", learner.withDefaults(stageParams(stage)));
            stages.add(filled);
        }
        return Map.of(STAGES, stages);
    }

    /** The stages of a validated pipeline job, in order. */
    public List<Stage> stages(JobSpec spec) {
        List<Stage> out = new ArrayList<>();
        for (Object o : (List<?>) spec.compression().params().get(STAGES)) {
            Map<?, ?> stage = (Map<?, ?>) o;
            LearnerDescriptor learner = learners.get((String) stage.get("learner"));
            Map<String, Double> targets = new LinkedHashMap<>();
            if (spec.compression().target() != null) {
                spec.compression().target().forEach((k, v) -> {
                    if (learner.targets().contains(k)) {
                        targets.put(k, v);
                    }
                });
            }
            JobSpec.Compression compression = new JobSpec.Compression(learner.name(), stageParams(stage), targets,
                    spec.compression().distillation());
            out.add(new Stage(learner, new JobSpec(spec.name(), spec.model(), spec.dataset(), compression,
                    spec.search(), spec.training(), spec.evaluation())));
        }
        return out;
    }

    @Override
    public List<FieldError> validateJob(JobSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        for (Stage stage : stages(spec)) {
            errors.addAll(stage.learner().validateJob(stage.spec()));
        }
        return errors;
    }

    @Override
    public SearchSpace searchSpace(JobSpec spec) {
        List<Parameter> dims = new ArrayList<>();
        Map<String, List<Double>> features = new LinkedHashMap<>();
        NetSpec net = JobNetwork.resolve(spec);
        for (Stage stage : stages(spec)) {
            SearchSpace space = stage.learner().searchSpace(stage.spec(), net);
            dims.addAll(space.parameters());
            features.putAll(space.features());
        }
        return new SearchSpace(dims, features);
    }

    @Override
    public Map<String, Object> baselineConfig(JobSpec spec) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (Stage stage : stages(spec)) {
            config.putAll(stage.learner().baselineConfig(stage.spec()));
        }
        return config;
    }

    /** Each stage completes its part on the network the stages before it leave. */
    @Override
    public Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec) {
        NetSpec net = JobNetwork.resolve(spec);
        Map<String, Object> config = new LinkedHashMap<>();
        for (Stage stage : stages(spec)) {
            Map<String, Object> part = stage.learner().complete(suggestion, stage.spec(), net);
            config.putAll(part);
            net = stage.learner().output(net, part);
        }
        return config;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stageParams(Map<?, ?> stage) {
        return stage.get("params") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
    }
}
