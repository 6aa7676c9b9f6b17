package dev.pocketmesh.search;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters a study searches over; a configuration maps each parameter name to a value. A space may be empty
 * (everything fixed by the job): every trial then trains the same configuration, which still measures the spread
 * of fine-tuning.
 *
 * <p>Conditional parameters ({@link Parameter#when}) are searched like the others: samplers propose a value for
 * every parameter and the study keeps only the ones that apply ({@link #activeOnly}). Reading a past configuration
 * back, a sampler {@link #filled fills} the parameters that did not apply with a fixed placeholder, so every trial
 * still informs the model (imputation, the usual treatment of conditional spaces in GP and TPE models).
 *
 * <p>{@code features} describe what a parameter controls, for optimisers that learn across parameters (the DDPG
 * agent's state): parameter name → a vector of the same length for each described parameter, e.g. a prunable
 * layer's position, width and share of the network's FLOPs. Empty when the learner gives none.
 */
public record SearchSpace(List<Parameter> parameters, Map<String, List<Double>> features) {
    public SearchSpace {
        if (parameters == null) {
            parameters = List.of();
        }
        features = features == null ? Map.of() : Map.copyOf(features);
        Map<String, Parameter> declared = new HashMap<>();
        for (Parameter p : parameters) {
            if (declared.containsKey(p.name())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' is declared twice");
            }
            checkCondition(p, declared);
            declared.put(p.name(), p);
        }
        parameters = List.copyOf(parameters);
    }

    /** A space without descriptors. */
    public SearchSpace(List<Parameter> parameters) {
        this(parameters, null);
    }

    private static void checkCondition(Parameter p, Map<String, Parameter> declaredBefore) {
        Parameter.Condition when = p.when();
        if (when == null) {
            return;
        }
        Parameter parent = declaredBefore.get(when.parent());
        if (parent == null) {
            throw new IllegalArgumentException(p.name() + ": its condition's parent '" + when.parent()
                    + "' must be a parameter declared before it");
        }
        if (parent instanceof Parameter.CategoricalParameter c) {
            for (Object v : when.in()) {
                if (UnitScale.categoryIndex(c, v) < 0) {
                    throw new IllegalArgumentException(p.name() + ": its condition value " + v + " is not a choice of '"
                            + c.name() + "' " + c.choices());
                }
            }
        }
    }

    /** The configuration with only the parameters that apply to it, in declaration order. */
    public Map<String, Object> activeOnly(Map<String, Object> config) {
        Map<String, Object> active = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            if (applies(p, active) && config.containsKey(p.name())) {
                active.put(p.name(), config.get(p.name()));
            }
        }
        // Keys outside the space (e.g. values a learner added) are kept as they were.
        config.forEach((k, v) -> {
            if (!active.containsKey(k) && parameters.stream().noneMatch(p -> p.name().equals(k))) {
                active.put(k, v);
            }
        });
        return active;
    }

    /**
     * The configuration with each parameter that does not apply to it set to a placeholder (the middle of its range,
     * its first choice), so that models which need a value for every parameter can read it. Null stays null.
     */
    public Map<String, Object> filled(Map<String, Object> config) {
        if (config == null || parameters.stream().allMatch(p -> p.when() == null)) {
            return config;
        }
        Map<String, Object> filled = new LinkedHashMap<>(config);
        Set<String> applied = new HashSet<>();
        for (Parameter p : parameters) {
            boolean applies = p.when() == null || (applied.contains(p.when().parent())
                    && matches(config.get(p.when().parent()), p.when().in()));
            if (applies) {
                applied.add(p.name());
            } else if (!config.containsKey(p.name())) {
                filled.put(p.name(), placeholder(p));
            }
        }
        return filled;
    }

    private boolean applies(Parameter p, Map<String, Object> activeSoFar) {
        Parameter.Condition when = p.when();
        return when == null || (activeSoFar.containsKey(when.parent())
                && matches(activeSoFar.get(when.parent()), when.in()));
    }

    private static boolean matches(Object value, List<Object> in) {
        if (value == null) {
            return false;
        }
        for (Object wanted : in) {
            if (wanted.equals(value) || (wanted instanceof Number a && value instanceof Number b
                    && a.doubleValue() == b.doubleValue()) || String.valueOf(wanted).equals(String.valueOf(value))) {
                return true;
            }
        }
        return false;
    }

    private static Object placeholder(Parameter p) {
        if (p instanceof Parameter.FloatParameter f) {
            return f.log() ? Math.sqrt(f.low() * f.high()) : (f.low() + f.high()) / 2;
        }
        if (p instanceof Parameter.IntParameter i) {
            return (int) Math.round((i.low() + (double) i.high()) / 2);
        }
        return ((Parameter.CategoricalParameter) p).choices().get(0);
    }
}
