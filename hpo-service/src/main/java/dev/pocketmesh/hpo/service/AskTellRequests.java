package dev.pocketmesh.hpo.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.search.Optimizers;
import dev.pocketmesh.search.Parameter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Parses and validates the ask/tell request bodies by hand from the JSON tree, so that every refusal names its field
 * and reason (a data-binding exception would name Java types, or surface as a stack trace). Each parse collects all
 * errors it can find rather than stopping at the first.
 */
public final class AskTellRequests {
    public static final int MAX_ASK = 100;

    private AskTellRequests() {
    }

    /** A request that failed validation: HTTP 400 with these errors. */
    public static final class Invalid extends RuntimeException {
        private final List<FieldError> errors;

        public Invalid(List<FieldError> errors) {
            super(errors.toString(), null, false, false);
            this.errors = List.copyOf(errors);
        }

        public Invalid(String field, String reason) {
            this(List.of(new FieldError(field, reason)));
        }

        public List<FieldError> errors() {
            return errors;
        }
    }

    /** A validated create request; defaults: directions [maximize], optimizer tpe, seed 0. */
    public record Create(String name, List<Parameter> space, List<String> directions, String optimizer, long seed) {
    }

    /** A validated tell; values has one entry per objective (null for a FAIL without values). */
    public record Tell(int number, AskTellTrial.State state, List<Double> values, SortedMap<Integer, Double> intermediate) {
    }

    static JsonNode body(String json) {
        if (json == null || json.isBlank()) {
            return Json.mapper().createObjectNode();
        }
        JsonNode node;
        try {
            node = Json.tree(json);
        } catch (Json.MalformedJsonException e) {
            throw new Invalid("(body)", e.getMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Json.mapper().createObjectNode();
        }
        if (!node.isObject()) {
            throw new Invalid("(body)", "must be a JSON object");
        }
        return node;
    }

    public static Create create(String json) {
        JsonNode body = body(json);
        List<FieldError> errors = new ArrayList<>();

        String name = null;
        JsonNode nameNode = body.get("name");
        if (nameNode != null && !nameNode.isNull()) {
            if (!nameNode.isTextual()) {
                errors.add(new FieldError("name", "must be a string"));
            } else {
                name = nameNode.asText();
            }
        }

        List<Parameter> space = space(body.get("space"), errors);
        if (errors.isEmpty()) {
            // Conditions refer to other parameters: checked on the whole space, reported on the dependent one.
            try {
                new dev.pocketmesh.search.SearchSpace(space);
            } catch (IllegalArgumentException e) {
                int i = 0;
                while (i < space.size() && !e.getMessage().startsWith(space.get(i).name() + ": ")) {
                    i++;
                }
                errors.add(new FieldError(i < space.size() ? "space[" + i + "].when" : "space", e.getMessage()));
            }
        }

        List<String> directions = new ArrayList<>();
        JsonNode dirNode = body.get("directions");
        if (dirNode == null || dirNode.isNull()) {
            directions.add(AskTellStudy.MAXIMIZE);
        } else if (!dirNode.isArray() || dirNode.isEmpty() || dirNode.size() > 2) {
            errors.add(new FieldError("directions", "needs one or two of maximize/minimize (one per objective), got "
                    + (dirNode.isArray() ? dirNode.size() + " entries" : dirNode.getNodeType().name().toLowerCase())));
        } else {
            for (int i = 0; i < dirNode.size(); i++) {
                String d = dirNode.get(i).isTextual() ? dirNode.get(i).asText() : "";
                if (!AskTellStudy.MAXIMIZE.equals(d) && !AskTellStudy.MINIMIZE.equals(d)) {
                    errors.add(new FieldError("directions[" + i + "]", "must be maximize or minimize, got "
                            + dirNode.get(i)));
                }
                directions.add(d);
            }
        }

        String optimizer = Optimizers.TPE;
        JsonNode optNode = body.get("optimizer");
        if (optNode != null && !optNode.isNull()) {
            if (!optNode.isTextual() || !Optimizers.NAMES.contains(optNode.asText())) {
                errors.add(new FieldError("optimizer", "unknown optimizer " + optNode + "; known: "
                        + String.join(", ", Optimizers.ORDERED)));
            } else {
                optimizer = optNode.asText();
            }
        }

        long seed = 0;
        JsonNode seedNode = body.get("seed");
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.isIntegralNumber() || !seedNode.canConvertToLong()) {
                errors.add(new FieldError("seed", "must be an integer (64-bit), got " + seedNode));
            } else {
                seed = seedNode.asLong();
            }
        }

        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
        return new Create(name, space, List.copyOf(directions), optimizer, seed);
    }

    private static List<Parameter> space(JsonNode node, List<FieldError> errors) {
        List<Parameter> parameters = new ArrayList<>();
        if (node == null || node.isNull() || (node.isArray() && node.isEmpty())) {
            errors.add(new FieldError("space", "needs at least one parameter"));
            return parameters;
        }
        if (!node.isArray()) {
            errors.add(new FieldError("space", "must be a list of parameters"));
            return parameters;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "space[" + i + "]";
            JsonNode p = node.get(i);
            if (!p.isObject()) {
                errors.add(new FieldError(at, "must be an object with name and type"));
                continue;
            }
            int before = errors.size();
            JsonNode nameNode = p.get("name");
            String name = nameNode != null && nameNode.isTextual() ? nameNode.asText().trim() : "";
            if (name.isEmpty()) {
                errors.add(new FieldError(at + ".name", "is required (a non-blank string)"));
            } else if (!names.add(name)) {
                errors.add(new FieldError(at + ".name", "duplicate parameter name '" + name + "'"));
            }
            Parameter.Condition when = condition(p.get("when"), at + ".when", errors);
            String type = p.path("type").asText("");
            switch (type) {
                case "float" -> {
                    Double low = number(p, "low", at, errors);
                    Double high = number(p, "high", at, errors);
                    JsonNode logNode = p.get("log");
                    boolean log = false;
                    if (logNode != null && !logNode.isNull()) {
                        if (!logNode.isBoolean()) {
                            errors.add(new FieldError(at + ".log", "must be true or false"));
                        } else {
                            log = logNode.asBoolean();
                        }
                    }
                    if (errors.size() == before) {
                        boolean logScale = log;
                        addChecked(parameters, errors, at + ".low", name,
                                () -> new Parameter.FloatParameter(name, low, high, logScale, when));
                    }
                }
                case "int" -> {
                    Integer low = integer(p, "low", at, errors);
                    Integer high = integer(p, "high", at, errors);
                    if (errors.size() == before) {
                        addChecked(parameters, errors, at + ".low", name,
                                () -> new Parameter.IntParameter(name, low, high, when));
                    }
                }
                case "categorical" -> {
                    JsonNode choices = p.get("choices");
                    if (choices == null || !choices.isArray() || choices.isEmpty()) {
                        errors.add(new FieldError(at + ".choices", "needs at least one choice"));
                    } else if (errors.size() == before) {
                        List<Object> values = new ArrayList<>();
                        for (JsonNode c : choices) {
                            values.add(Json.convert(c, Object.class));
                        }
                        try {
                            parameters.add(new Parameter.CategoricalParameter(name, values, when));
                        } catch (NullPointerException e) {
                            errors.add(new FieldError(at + ".choices", "a choice must not be null"));
                        }
                    }
                }
                default -> errors.add(new FieldError(at + ".type", "must be float, int or categorical, got "
                        + p.get("type")));
            }
        }
        return parameters;
    }

    /** {@code when: {parent, in: [values]}}: the parameter applies only when its parent takes one of the values. */
    private static Parameter.Condition condition(JsonNode node, String at, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode parent = node.get("parent");
        JsonNode in = node.get("in");
        if (!node.isObject() || parent == null || !parent.isTextual() || parent.asText().isBlank()) {
            errors.add(new FieldError(at + ".parent", "must name the parameter this one depends on"));
            return null;
        }
        if (in == null || !in.isArray() || in.isEmpty()) {
            errors.add(new FieldError(at + ".in", "needs the parent's values for which this parameter applies"));
            return null;
        }
        List<Object> values = new ArrayList<>();
        in.forEach(v -> values.add(Json.convert(v, Object.class)));
        return new Parameter.Condition(parent.asText(), values);
    }

    /**
     * Adds the parameter the constructor builds, or, when the parameter's own range checks refuse it (low > high,
     * a log scale from 0 or below), the refusal as an error on {@code field}.
     */
    private static void addChecked(List<Parameter> parameters, List<FieldError> errors, String field, String name,
            java.util.function.Supplier<Parameter> build) {
        try {
            parameters.add(build.get());
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage();
            errors.add(new FieldError(field, reason.startsWith(name + ": ") ? reason.substring(name.length() + 2)
                    : reason));
        }
    }

    private static Double number(JsonNode p, String field, String at, List<FieldError> errors) {
        JsonNode n = p.get(field);
        if (n == null || !n.isNumber() || !Double.isFinite(n.asDouble())) {
            errors.add(new FieldError(at + "." + field, "is required (a finite number)"));
            return null;
        }
        return n.asDouble();
    }

    private static Integer integer(JsonNode p, String field, String at, List<FieldError> errors) {
        JsonNode n = p.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            errors.add(new FieldError(at + "." + field, "is required (a 32-bit integer)"));
            return null;
        }
        return n.asInt();
    }

    /** How many trials to ask: the query's n wins over the body's; default 1; 1..MAX_ASK. */
    public static int askCount(String queryN, String json) {
        JsonNode n = null;
        if (queryN != null) {
            try {
                return checkCount(Integer.parseInt(queryN.trim()));
            } catch (NumberFormatException e) {
                throw new Invalid("n", "must be an integer from 1 to " + MAX_ASK + ", got '" + queryN + "'");
            }
        }
        n = body(json).get("n");
        if (n == null || n.isNull()) {
            return 1;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new Invalid("n", "must be an integer from 1 to " + MAX_ASK + ", got " + n);
        }
        return checkCount(n.asInt());
    }

    private static int checkCount(int n) {
        if (n < 1 || n > MAX_ASK) {
            throw new Invalid("n", "must be from 1 to " + MAX_ASK + ", got " + n);
        }
        return n;
    }

    /** Parses a tell against the study's number of objectives (the trial's existence is checked by the store). */
    public static Tell tell(String json, int objectives) {
        JsonNode body = body(json);
        List<FieldError> errors = new ArrayList<>();

        int number = 0;
        JsonNode numberNode = body.get("number");
        if (numberNode == null || !numberNode.isIntegralNumber() || !numberNode.canConvertToInt()
                || numberNode.asInt() < 1) {
            errors.add(new FieldError("number", "is required (the asked trial's number, >= 1), got " + numberNode));
        } else {
            number = numberNode.asInt();
        }

        AskTellTrial.State state = AskTellTrial.State.COMPLETE;
        JsonNode stateNode = body.get("state");
        if (stateNode != null && !stateNode.isNull()) {
            String s = stateNode.isTextual() ? stateNode.asText() : "";
            if (s.equals("COMPLETE") || s.equals("FAIL") || s.equals("PRUNED")) {
                state = AskTellTrial.State.valueOf(s);
            } else {
                errors.add(new FieldError("state", "must be COMPLETE, FAIL or PRUNED, got " + stateNode));
            }
        }

        List<Double> values = values(body, objectives, state, errors);
        SortedMap<Integer, Double> intermediate = intermediate(body.get("intermediate"), errors);

        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
        return new Tell(number, state, values, intermediate);
    }

    private static List<Double> values(JsonNode body, int objectives, AskTellTrial.State state,
            List<FieldError> errors) {
        JsonNode value = body.get("value");
        JsonNode values = body.get("values");
        boolean hasValue = value != null && !value.isNull();
        boolean hasValues = values != null && !values.isNull();
        if (hasValue && hasValues) {
            errors.add(new FieldError("values", "give either value or values, not both"));
            return null;
        }
        if (!hasValue && !hasValues) {
            if (state == AskTellTrial.State.COMPLETE) {
                errors.add(new FieldError(objectives == 1 ? "value" : "values", objectives == 1
                        ? "is required for a COMPLETE trial (a finite number)"
                        : "is required for a COMPLETE trial (" + objectives + " finite numbers, one per direction)"));
            }
            return null;
        }
        if (hasValue) {
            if (objectives != 1) {
                errors.add(new FieldError("values", "the study has " + objectives
                        + " objectives: give values with " + objectives + " numbers"));
                return null;
            }
            if (!finite(value)) {
                errors.add(new FieldError("value", "must be a finite number, got " + value));
                return null;
            }
            return List.of(value.asDouble());
        }
        if (!values.isArray() || values.size() != objectives) {
            errors.add(new FieldError("values", "needs exactly " + objectives + " number" + (objectives == 1 ? "" : "s")
                    + " (one per direction), got " + (values.isArray() ? values.size() : values)));
            return null;
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            if (!finite(values.get(i))) {
                errors.add(new FieldError("values[" + i + "]", "must be a finite number, got " + values.get(i)));
            } else {
                out.add(values.get(i).asDouble());
            }
        }
        return out.size() == objectives ? List.copyOf(out) : null;
    }

    private static boolean finite(JsonNode n) {
        return n.isNumber() && Double.isFinite(n.asDouble());
    }

    private static SortedMap<Integer, Double> intermediate(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new FieldError("intermediate", "must be an object of step → value"));
            return null;
        }
        SortedMap<Integer, Double> out = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            int step;
            try {
                step = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                errors.add(new FieldError("intermediate." + e.getKey(), "a step must be an integer >= 0"));
                continue;
            }
            if (step < 0) {
                errors.add(new FieldError("intermediate." + e.getKey(), "a step must be an integer >= 0"));
            } else if (!finite(e.getValue())) {
                errors.add(new FieldError("intermediate." + e.getKey(), "must be a finite number, got " + e.getValue()));
            } else {
                out.put(step, e.getValue().asDouble());
            }
        }
        return out;
    }
}
