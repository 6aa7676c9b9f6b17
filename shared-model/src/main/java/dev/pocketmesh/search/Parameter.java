package dev.pocketmesh.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * One dimension of a search space. A parameter with a {@link Condition} ({@code when}) exists only in the
 * configurations where its parent takes one of the listed values (see {@link SearchSpace#activeOnly}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Parameter.FloatParameter.class, name = "float"),
        @JsonSubTypes.Type(value = Parameter.IntParameter.class, name = "int"),
        @JsonSubTypes.Type(value = Parameter.CategoricalParameter.class, name = "categorical")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Parameter {
    String name();

    /** When the parameter applies; null: always. */
    Condition when();

    /** The parameter applies when {@code parent}, declared before it and itself applying, takes one of {@code in}. */
    record Condition(String parent, List<Object> in) {
        public Condition {
            if (parent == null || parent.isBlank()) {
                throw new IllegalArgumentException("a condition names its parent parameter");
            }
            if (in == null || in.isEmpty()) {
                throw new IllegalArgumentException("a condition on '" + parent + "' needs at least one value");
            }
            in = List.copyOf(in);
        }
    }

    /** A real number in [low, high], sampled uniformly or, when {@code log}, uniformly in log space. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FloatParameter(String name, double low, double high, boolean log, Condition when) implements Parameter {
        public FloatParameter {
            if (!(low <= high)) {
                throw new IllegalArgumentException(name + ": low " + low + " > high " + high);
            }
            if (log && low <= 0) {
                throw new IllegalArgumentException(name + ": a log-scaled range needs low > 0, got " + low);
            }
        }

        public FloatParameter(String name, double low, double high, boolean log) {
            this(name, low, high, log, null);
        }
    }

    /** An integer in [low, high], both included. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record IntParameter(String name, int low, int high, Condition when) implements Parameter {
        public IntParameter {
            if (low > high) {
                throw new IllegalArgumentException(name + ": low " + low + " > high " + high);
            }
        }

        public IntParameter(String name, int low, int high) {
            this(name, low, high, null);
        }
    }

    /** One of a fixed list of values. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CategoricalParameter(String name, List<Object> choices, Condition when) implements Parameter {
        public CategoricalParameter {
            if (choices == null || choices.isEmpty()) {
                throw new IllegalArgumentException(name + ": needs at least one choice");
            }
            choices = List.copyOf(choices);
        }

        public CategoricalParameter(String name, List<Object> choices) {
            this(name, choices, null);
        }
    }
}
