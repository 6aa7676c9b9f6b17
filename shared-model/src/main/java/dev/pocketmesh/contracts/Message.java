package dev.pocketmesh.contracts;

import java.time.Instant;

/**
 * What every message on the mesh carries. {@code messageId} makes handlers idempotent under at-least-once
 * delivery; {@code schemaVersion} lets a consumer refuse a contract it does not understand.
 */
public interface Message {
    int SCHEMA_VERSION = 1;

    int schemaVersion();

    String messageId();

    String jobId();

    Instant createdAt();
}
