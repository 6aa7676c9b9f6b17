package dev.pocketmesh.contracts;

/** One invalid field of an input: its dotted path (e.g. {@code search.trials}) and why it is refused. */
public record FieldError(String field, String reason) {
    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
