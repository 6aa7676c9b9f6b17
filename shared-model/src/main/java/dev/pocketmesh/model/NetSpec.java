package dev.pocketmesh.model;

import java.util.List;
import java.util.Optional;

/**
 * A network as data ({@code net.json}): input shape, number of classes, an ordered list of layers and the
 * explicit residual groups. Shapes are checked with {@link ShapeInference#infer(NetSpec)}, costs with
 * {@link CostModel#of(NetSpec)}, channel counts edited with {@link ChannelPruning}.
 *
 * <p>The constructor checks only local facts (non-null parts, unique layer names); use
 * {@link ShapeInference#infer(NetSpec)} to validate the whole network.
 */
public record NetSpec(String name, Shape input, int numClasses, List<Layer> layers,
                      List<ResidualGroup> residualGroups) {
    /** The name {@link Layer.Add#from()} uses for the network input. */
    public static final String INPUT = "input";

    public NetSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a NetSpec needs a name");
        }
        if (input == null) {
            throw new IllegalArgumentException(name + ": input shape is missing");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException(name + ": numClasses must be >= 1, got " + numClasses);
        }
        layers = List.copyOf(layers == null ? List.of() : layers);
        residualGroups = List.copyOf(residualGroups == null ? List.of() : residualGroups);
        java.util.Set<String> seen = new java.util.HashSet<>();
        seen.add(INPUT);
        for (Layer layer : layers) {
            for (String n : namesOf(layer)) {
                if (!seen.add(n)) {
                    throw new NetSpecException(n, "duplicate layer name (or the reserved name '" + INPUT + "')");
                }
            }
        }
    }

    /** The layer's own name plus, for an Add with a projection shortcut, its conv's and bn's names. */
    static List<String> namesOf(Layer layer) {
        if (layer instanceof Layer.Add add && add.shortcut() != null && add.shortcut().bn() != null) {
            return List.of(add.name(), add.shortcut().conv().name(), add.shortcut().bn().name());
        }
        if (layer instanceof Layer.Add add && add.shortcut() != null) {
            return List.of(add.name(), add.shortcut().conv().name());
        }
        return List.of(layer.name());
    }

    /** The top-level layer with that name. */
    public Optional<Layer> layer(String layerName) {
        return layers.stream().filter(l -> l.name().equals(layerName)).findFirst();
    }

    /** Index of the top-level layer with that name, or -1. */
    public int indexOf(String layerName) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(layerName)) {
                return i;
            }
        }
        return -1;
    }

    /** Every conv, including the projection convs inside {@link Layer.Add} shortcuts, in spec order. */
    public List<Layer.Conv2d> convs() {
        List<Layer.Conv2d> out = new java.util.ArrayList<>();
        for (Layer l : layers) {
            if (l instanceof Layer.Conv2d c) {
                out.add(c);
            } else if (l instanceof Layer.Add a && a.shortcut() != null) {
                out.add(a.shortcut().conv());
            }
        }
        return out;
    }

    /** The conv with that name, top-level or inside a shortcut. */
    public Optional<Layer.Conv2d> conv(String convName) {
        return convs().stream().filter(c -> c.name().equals(convName)).findFirst();
    }

    public NetSpec withLayers(List<Layer> newLayers) {
        return new NetSpec(name, input, numClasses, newLayers, residualGroups);
    }

    /**
     * Layers whose output channels must stay equal because they write into one residual stream: the convs
     * (top-level or projection) whose outputs are summed by residual {@link Layer.Add}s, transitively.
     * {@link ShapeInference#infer} checks these against the groups the graph implies
     * ({@link ChannelPruning#couplingGroups}); they may contain {@link #INPUT} when the stream is the input.
     */
    public record ResidualGroup(String name, List<String> convs) {
        public ResidualGroup {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a residual group needs a name");
            }
            convs = List.copyOf(convs == null ? List.of() : convs);
        }
    }
}
