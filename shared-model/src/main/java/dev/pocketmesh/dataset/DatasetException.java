package dev.pocketmesh.dataset;

import dev.pocketmesh.contracts.FieldError;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A dataset that cannot be used as the job spec describes it: each error names the job-spec field
 * ({@code dataset.path}, {@code dataset.classes}, ...) and the reason. It is an {@link IllegalArgumentException}
 * whose message reads {@code field: reason; ...}, so callers that report bad arguments by message need no special
 * case.
 */
public final class DatasetException extends IllegalArgumentException {
    private final transient List<FieldError> errors;

    public DatasetException(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a DatasetException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public DatasetException(String field, String reason) {
        this(List.of(new FieldError(field, reason)));
    }

    /** A problem with the files under {@code dataset.path}. */
    public static DatasetException path(String reason) {
        return new DatasetException("dataset.path", reason);
    }

    /** A label that {@code dataset.classes} (or the format's own class count) does not cover. */
    public static DatasetException labelOutsideClasses(long label, Path file, int classes, boolean fromSpec) {
        String whose = fromSpec ? "of dataset.classes" : "the format holds";
        return new DatasetException(fromSpec ? "dataset.classes" : "dataset.path",
                "label " + label + " in " + file + " is outside the " + classes + " classes " + whose);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
