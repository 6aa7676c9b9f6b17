package dev.pocketmesh.model;

/** A {@link NetSpec} that is not a valid network: shape mismatch, unknown reference, refused edit. */
public class NetSpecException extends IllegalArgumentException {
    private final String layer;

    public NetSpecException(String layer, String message) {
        super(layer == null ? message : "layer '" + layer + "': " + message);
        this.layer = layer;
    }

    /** The offending layer's name, or null when the problem is not tied to one layer. */
    public String layer() {
        return layer;
    }
}
