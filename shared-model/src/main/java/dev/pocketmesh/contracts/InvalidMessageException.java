package dev.pocketmesh.contracts;

/**
 * A record refused for what it contains: not JSON, not the expected message, an unknown schema version, or
 * missing its job. Consumers send such records to the dead-letter topic with this message as the reason.
 */
public class InvalidMessageException extends RuntimeException {
    public InvalidMessageException(String reason) {
        super(reason);
    }

    public InvalidMessageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
