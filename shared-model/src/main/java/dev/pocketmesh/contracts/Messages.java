package dev.pocketmesh.contracts;

import dev.pocketmesh.json.Json;

/** Decoding of incoming records, the same checks in every service. */
public final class Messages {
    private Messages() {
    }

    /**
     * The record as a message of {@code type}, or an {@link InvalidMessageException} saying why it is not one:
     * empty, malformed JSON, wrong shape, a schema version this code does not read, or no job id.
     */
    public static <T extends Message> T parse(String payload, Class<T> type) {
        if (payload == null || payload.isBlank()) {
            throw new InvalidMessageException("empty record");
        }
        T message;
        try {
            message = Json.read(payload, type);
        } catch (Json.MalformedJsonException e) {
            throw new InvalidMessageException(e.getMessage(), e);
        } catch (RuntimeException e) {
            // Jackson reports a value of the wrong type (e.g. an unknown enum constant) as an IllegalArgumentException.
            throw new InvalidMessageException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        if (message == null) {
            throw new InvalidMessageException("not a " + type.getSimpleName() + ": null");
        }
        if (message.schemaVersion() != Message.SCHEMA_VERSION) {
            throw new InvalidMessageException("unsupported schemaVersion " + message.schemaVersion()
                    + " (this service reads " + Message.SCHEMA_VERSION + ")");
        }
        if (message.jobId() == null || message.jobId().isBlank()) {
            throw new InvalidMessageException(type.getSimpleName() + " without jobId");
        }
        return message;
    }

    /** A short one-line excerpt of a record for logs, so a huge or binary payload cannot flood them. */
    public static String excerpt(String payload) {
        if (payload == null) {
            return "null";
        }
        String oneLine = payload.replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
