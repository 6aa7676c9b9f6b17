package dev.pocketmesh.search;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The parameters a study searches over; a configuration maps each parameter name to a value. */
public record SearchSpace(List<Parameter> parameters) {
    public SearchSpace {
        if (parameters == null || parameters.isEmpty()) {
            throw new IllegalArgumentException("a search space needs at least one parameter");
        }
        Set<String> names = new HashSet<>();
        for (Parameter p : parameters) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' is declared twice");
            }
        }
        parameters = List.copyOf(parameters);
    }
}
