package dev.pocketmesh.model;

/**
 * An ONNX file {@link OnnxImport} refuses: unreadable, not ONNX, an operator a NetSpec cannot express (the message
 * names it and its node), or a broken graph (an input nothing defines, a cycle, a weight of the wrong shape).
 */
public class OnnxImportException extends IllegalArgumentException {
    public OnnxImportException(String message) {
        super(message);
    }
}
