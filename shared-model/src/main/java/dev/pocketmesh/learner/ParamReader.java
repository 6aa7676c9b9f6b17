package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed, range-checked access to a learner's free-form parameters, collecting errors by field path. */
public final class ParamReader {
    private final Map<String, Object> params;
    private final String prefix;
    private final List<FieldError> errors;

    public ParamReader(Map<String, Object> params, String prefix, List<FieldError> errors) {
        this.params = params == null ? Map.of() : params;
        this.prefix = prefix;
        this.errors = errors;
    }

    public void rejectUnknown(Set<String> known) {
        for (String key : params.keySet()) {
            if (!known.contains(key)) {
                errors.add(new FieldError(prefix + "." + key, "unknown parameter; known: " + known));
            }
        }
    }

    public void integer(String name, long min, long max) {
        Object v = params.get(name);
        if (v == null) {
            return;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min
                || ((Number) v).longValue() > max) {
            errors.add(new FieldError(prefix + "." + name,
                    "must be an integer in [" + min + ", " + max + "] (got " + v + ")"));
        }
    }

    public void number(String name, double min, double max) {
        Object v = params.get(name);
        if (v == null) {
            return;
        }
        if (!(v instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
            errors.add(new FieldError(prefix + "." + name,
                    "must be a number in [" + min + ", " + max + "] (got " + v + ")"));
        }
    }

    public void oneOf(String name, java.util.List<String> allowed) {
        Object v = params.get(name);
        if (v != null && !allowed.contains(v.toString())) {
            errors.add(new FieldError(prefix + "." + name, "unknown value '" + v + "'; one of " + allowed));
        }
    }

    public void bool(String name) {
        Object v = params.get(name);
        if (v != null && !(v instanceof Boolean)) {
            errors.add(new FieldError(prefix + "." + name, "must be true or false (got " + v + ")"));
        }
    }

    /** The user's parameters over the learner's defaults, in the defaults' order. */
    public static Map<String, Object> withDefaults(Map<String, Object> defaults, Map<String, Object> params) {
        Map<String, Object> merged = new java.util.LinkedHashMap<>(defaults);
        if (params != null) {
            merged.putAll(params);
        }
        return merged;
    }

    public static int intOr(Map<String, Object> params, String name, int fallback) {
        Object v = params.get(name);
        return v instanceof Number n ? n.intValue() : fallback;
    }

    public static double doubleOr(Map<String, Object> params, String name, double fallback) {
        Object v = params.get(name);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }
}
