package dev.pocketmesh.search;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The parameters a study searches over; a configuration maps each parameter name to a value. A space may be empty
 * (everything fixed by the job): every trial then trains the same configuration, which still measures the spread
 * of fine-tuning.
 */
public record SearchSpace(List<Parameter> parameters) {
    public SearchSpace {
        if (parameters == null) {
            parameters = List.of();
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
