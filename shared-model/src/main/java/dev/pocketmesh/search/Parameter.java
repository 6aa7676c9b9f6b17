package dev.pocketmesh.search;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/** One dimension of a search space. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Parameter.FloatParameter.class, name = "float"),
        @JsonSubTypes.Type(value = Parameter.IntParameter.class, name = "int"),
        @JsonSubTypes.Type(value = Parameter.CategoricalParameter.class, name = "categorical")})
public sealed interface Parameter {
    String name();

    /** A real number in [low, high], sampled uniformly or, when {@code log}, uniformly in log space. */
    record FloatParameter(String name, double low, double high, boolean log) implements Parameter {
        public FloatParameter {
            if (!(low <= high)) {
                throw new IllegalArgumentException(name + ": low " + low + " > high " + high);
            }
            if (log && low <= 0) {
                throw new IllegalArgumentException(name + ": a log-scaled range needs low > 0, got " + low);
            }
        }
    }

    /** An integer in [low, high], both included. */
    record IntParameter(String name, int low, int high) implements Parameter {
        public IntParameter {
            if (low > high) {
                throw new IllegalArgumentException(name + ": low " + low + " > high " + high);
            }
        }
    }

    /** One of a fixed list of values. */
    record CategoricalParameter(String name, List<Object> choices) implements Parameter {
        public CategoricalParameter {
            if (choices == null || choices.isEmpty()) {
                throw new IllegalArgumentException(name + ": needs at least one choice");
            }
            choices = List.copyOf(choices);
        }
    }
}
