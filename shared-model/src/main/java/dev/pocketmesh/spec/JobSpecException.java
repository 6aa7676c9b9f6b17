package dev.pocketmesh.spec;

import dev.pocketmesh.contracts.FieldError;
import java.util.List;
import java.util.stream.Collectors;

/** A job spec that cannot run, with every field that is wrong and why. */
public class JobSpecException extends RuntimeException {
    private final List<FieldError> errors;

    public JobSpecException(List<FieldError> errors) {
        super("invalid job: " + errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
