package dev.pocketmesh.worker.service;

/** The broker did not acknowledge a message the protocol depends on, within the publish timeout. */
public class PublishException extends RuntimeException {
    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
