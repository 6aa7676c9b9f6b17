package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.search.Observation;
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
 * quantization. Each stage's proposal is projected onto its own targets on the network the stages before it produce;
 * each target goes to the stage that supports it.
 *
 * <p>Two ways to search ({@code compression.pipelineSearch}): {@code joint} (the default), one study over the union
 * of the stages' spaces (their configuration keys do not collide: {@code ratio.}, {@code bits.}, {@code sparsity.});
 * or {@code stage-by-stage}, the trial budget split evenly over the stages that have something to search, each
 * {@link #phase phase} searching one stage's space with the stages before it fixed at their best configuration so far
 * and the stages after it at their defaults. Stage by stage searches fewer dimensions at a time (a model-based
 * optimiser learns faster), at the price of never revisiting an earlier stage's choice.
 */
public final class PipelineLearner implements LearnerDescriptor {
    public static final String NAME = "pipeline";
    public static final String STAGES = "stages";
    /** The parameter (and job field {@code compression.pipelineSearch}) choosing how the stages are searched. */
    public static final String SEARCH = "pipelineSearch";
    public static final String JOINT = "joint";
    public static final String STAGE_BY_STAGE = "stage-by-stage";
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
        return "learners in sequence (channel pruning, then quantization or sparsification), searched jointly or "
                + "stage by stage";
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
        Object mode = params.get(SEARCH);
        if (mode != null && !JOINT.equals(mode) && !STAGE_BY_STAGE.equals(mode)) {
            errors.add(new FieldError(prefix.equals("compression") ? "compression." + SEARCH : prefix + "." + SEARCH,
                    "must be " + JOINT + " or " + STAGE_BY_STAGE + " (got " + mode + ")"));
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
        return Map.of(STAGES, stages, SEARCH, params.getOrDefault(SEARCH, JOINT));
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
        if (errors.isEmpty() && stageByStage(spec)) {
            int searched = phaseSpaces(spec).size();
            if (spec.search().isPareto()) {
                errors.add(new FieldError("compression." + SEARCH, STAGE_BY_STAGE + " fixes each stage at its most "
                        + "accurate configuration, which a Pareto search does not single out; use " + JOINT));
            } else if (spec.search().trials() < searched) {
                errors.add(new FieldError("search.trials", STAGE_BY_STAGE + " gives every searched stage trials of "
                        + "its own: at least " + searched + " are needed (got " + spec.search().trials() + ")"));
            }
        }
        return errors;
    }

    /** Whether the job searches its stages one after the other ({@code pipelineSearch: stage-by-stage}). */
    public static boolean stageByStage(JobSpec spec) {
        return NAME.equals(spec.compression().learner())
                && STAGE_BY_STAGE.equals(spec.compression().params().get(SEARCH));
    }

    /**
     * What trial {@code number} of a stage-by-stage search does. The trials are split evenly over the stages with a
     * non-empty space, in order (the first ones get the remainder): phase k is trials {@code start .. end}.
     *
     * @param stage       the index of the stage it searches
     * @param space       that stage's search space
     * @param fixed       the configuration of the stages before it: the best EVALUATED trial of the phases before
     *                    (by {@link dev.pocketmesh.search.Objective#best}); while none has finished, the latest
     *                    proposal of the phase before (with parallel trials, the next phase may start before the
     *                    last one ends)
     * @param history     the observations of this phase only, for the sampler
     * @param localNumber the trial's number within its phase (1 = its first), for the sampler's warm-up
     */
    public record Phase(int stage, SearchSpace space, Map<String, Object> fixed, List<Observation> history,
            int localNumber) {
        /** Every trial of a joint search (or any other learner's): the whole space, nothing held ({@code stage} -1). */
        public static Phase whole(SearchSpace space, List<Observation> history, int number) {
            return new Phase(-1, space, Map.of(), history, number);
        }
    }

    /** The phase of trial {@code number} (1-based) given the study's observations so far. */
    public Phase phase(JobSpec spec, int number, List<Observation> observations) {
        List<Map.Entry<Integer, SearchSpace>> spaces = phaseSpaces(spec);
        int trials = spec.search().trials();
        int start = 1;
        for (int k = 0; k < spaces.size(); k++) {
            int length = trials / spaces.size() + (k < trials % spaces.size() ? 1 : 0);
            int end = k == spaces.size() - 1 ? Integer.MAX_VALUE : start + length - 1;
            if (number <= end) {
                int from = start;
                List<Observation> mine = observations.stream()
                        .filter(o -> o.number() >= from && o.number() <= end).toList();
                return new Phase(spaces.get(k).getKey(), spaces.get(k).getValue(), fixedBefore(observations, from),
                        mine, number - start + 1);
            }
            start = end + 1;
        }
        throw new IllegalStateException("unreachable: the last phase is open-ended");
    }

    /** The stages that have something to search, by stage index, with their spaces. */
    private List<Map.Entry<Integer, SearchSpace>> phaseSpaces(JobSpec spec) {
        NetSpec net = JobNetwork.resolve(spec);
        List<Map.Entry<Integer, SearchSpace>> out = new ArrayList<>();
        List<Stage> stages = stages(spec);
        for (int i = 0; i < stages.size(); i++) {
            SearchSpace space = stages.get(i).learner().searchSpace(stages.get(i).spec(), net);
            if (!space.parameters().isEmpty()) {
                out.add(Map.entry(i, space));
            }
        }
        return out;
    }

    private static Map<String, Object> fixedBefore(List<Observation> observations, int phaseStart) {
        List<Observation> earlier = observations.stream().filter(o -> o.number() < phaseStart).toList();
        Optional<Observation> best = dev.pocketmesh.search.Objective.best(
                earlier.stream().filter(o -> o.state() == TrialState.EVALUATED).toList(), Observation::value,
                Observation::number);
        Optional<Observation> chosen = best.or(() -> earlier.stream()
                .max(java.util.Comparator.comparingInt(Observation::number)));
        return chosen.map(Observation::config).orElse(Map.of());
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
