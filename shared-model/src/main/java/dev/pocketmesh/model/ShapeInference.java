package dev.pocketmesh.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Propagates shapes through a {@link NetSpec} layer by layer and checks them. Rules:
 * <ul>
 *   <li>Conv2d: needs a feature map whose channels equal {@code inChannels}; spatial output
 *       floor((in + 2p - k) / s) + 1 (must be >= 1).</li>
 *   <li>BatchNorm: channels (or flat features) equal {@code channels}; shape unchanged.</li>
 *   <li>Relu: shape unchanged. MaxPool/AvgPool: feature map, floor((in - k) / s) + 1.</li>
 *   <li>GlobalAvgPool: C x H x W to C x 1 x 1. Flatten: to C*H*W flat features.</li>
 *   <li>Linear: needs flat features equal to {@code inFeatures} (a feature map must be flattened first).</li>
 *   <li>Add: the running tensor and the (projected) output of {@code from} must have equal shapes.</li>
 *   <li>The network output must be {@code numClasses} flat features.</li>
 *   <li>The declared residual groups must equal the coupling groups implied by the Adds.</li>
 * </ul>
 * Any violation throws {@link NetSpecException} naming the layer and both shapes.
 */
public final class ShapeInference {
    private ShapeInference() {
    }

    /** Input and output shape of one top-level layer. */
    public record LayerShape(String name, Shape in, Shape out) {
    }

    /** Validates the spec and returns each top-level layer's input and output shape, in order. */
    public static List<LayerShape> infer(NetSpec spec) {
        List<LayerShape> shapes = new ArrayList<>();
        Map<String, Shape> outputs = new HashMap<>();
        outputs.put(NetSpec.INPUT, spec.input());
        Shape current = spec.input();
        for (Layer layer : spec.layers()) {
            Shape out = step(layer, current, outputs);
            shapes.add(new LayerShape(layer.name(), current, out));
            outputs.put(layer.name(), out);
            current = out;
        }
        Shape expected = Shape.features(spec.numClasses());
        if (!current.equals(expected)) {
            String last = spec.layers().isEmpty() ? null : spec.layers().get(spec.layers().size() - 1).name();
            throw new NetSpecException(last, "network output " + current + " does not match " + spec.numClasses()
                    + " classes (expected " + expected + ")");
        }
        checkResidualGroups(spec);
        return shapes;
    }

    /** Output shape of the network (validating it). */
    public static Shape output(NetSpec spec) {
        List<LayerShape> shapes = infer(spec);
        return shapes.isEmpty() ? spec.input() : shapes.get(shapes.size() - 1).out();
    }

    /** The output of one layer given its input and the outputs of all earlier layers (for Add). */
    static Shape step(Layer layer, Shape in, Map<String, Shape> outputs) {
        if (layer instanceof Layer.Conv2d c) {
            return conv(c, in);
        }
        if (layer instanceof Layer.BatchNorm bn) {
            return batchNorm(bn, in);
        }
        if (layer instanceof Layer.Relu) {
            return in;
        }
        if (layer instanceof Layer.MaxPool p) {
            return pool(p.name(), p.kernel(), p.stride(), in);
        }
        if (layer instanceof Layer.AvgPool p) {
            return pool(p.name(), p.kernel(), p.stride(), in);
        }
        if (layer instanceof Layer.GlobalAvgPool g) {
            requireMap(g.name(), in);
            return Shape.chw(in.channels(), 1, 1);
        }
        if (layer instanceof Layer.Flatten) {
            return Shape.features(Math.toIntExact(in.elements()));
        }
        if (layer instanceof Layer.Linear l) {
            if (!in.flat()) {
                throw new NetSpecException(l.name(), "Linear needs flat features but gets feature map " + in
                        + " (add a Flatten)");
            }
            if (in.channels() != l.inFeatures()) {
                throw new NetSpecException(l.name(), "inFeatures " + l.inFeatures()
                        + " differ from the incoming flattened size (expected [" + l.inFeatures() + "], got " + in + ")");
            }
            return Shape.features(l.outFeatures());
        }
        Layer.Add a = (Layer.Add) layer;
        Shape from = outputs.get(a.from());
        if (from == null) {
            throw new NetSpecException(a.name(), "'from' names '" + a.from() + "', which is not an earlier layer");
        }
        Shape shortcut = from;
        if (a.shortcut() != null) {
            shortcut = conv(a.shortcut().conv(), from);
            if (a.shortcut().bn() != null) {
                shortcut = batchNorm(a.shortcut().bn(), shortcut);
            }
        }
        if (!shortcut.equals(in)) {
            throw new NetSpecException(a.name(), "cannot add shapes " + in + " (main path) and " + shortcut
                    + " (shortcut from '" + a.from() + "')");
        }
        return in;
    }

    private static void requireMap(String name, Shape in) {
        if (in.flat()) {
            throw new NetSpecException(name, "needs a feature map but gets flat features " + in);
        }
    }

    private static Shape conv(Layer.Conv2d c, Shape in) {
        requireMap(c.name(), in);
        if (in.channels() != c.inChannels()) {
            throw new NetSpecException(c.name(), "inChannels " + c.inChannels() + " differ from the incoming channels "
                    + in.channels() + " (expected " + c.inChannels() + "xHxW, got " + in + ")");
        }
        int h = Math.floorDiv(in.height() + 2 * c.padding() - c.kernel(), c.stride()) + 1;
        int w = Math.floorDiv(in.width() + 2 * c.padding() - c.kernel(), c.stride()) + 1;
        if (h < 1 || w < 1) {
            throw new NetSpecException(c.name(), "kernel " + c.kernel() + " does not fit input " + in);
        }
        return Shape.chw(c.outChannels(), h, w);
    }

    private static Shape batchNorm(Layer.BatchNorm bn, Shape in) {
        if (in.channels() != bn.channels()) {
            throw new NetSpecException(bn.name(), "channels " + bn.channels() + " differ from the incoming "
                    + in + " (" + in.channels() + " channels)");
        }
        return in;
    }

    private static Shape pool(String name, int kernel, int stride, Shape in) {
        requireMap(name, in);
        int h = Math.floorDiv(in.height() - kernel, stride) + 1;
        int w = Math.floorDiv(in.width() - kernel, stride) + 1;
        if (h < 1 || w < 1) {
            throw new NetSpecException(name, "pool kernel " + kernel + " does not fit input " + in);
        }
        return Shape.chw(in.channels(), h, w);
    }

    private static void checkResidualGroups(NetSpec spec) {
        List<List<String>> implied = Coupling.groups(spec);
        Set<Set<String>> impliedSets = new HashSet<>();
        implied.forEach(g -> impliedSets.add(Set.copyOf(g)));
        Set<Set<String>> declared = new HashSet<>();
        for (NetSpec.ResidualGroup g : spec.residualGroups()) {
            Set<String> set = Set.copyOf(g.convs());
            if (!impliedSets.contains(set)) {
                throw new NetSpecException(null, "residual group '" + g.name() + "' " + g.convs()
                        + " does not match the groups implied by the residual adds: " + implied);
            }
            declared.add(set);
        }
        for (List<String> g : implied) {
            if (!declared.contains(Set.copyOf(g))) {
                throw new NetSpecException(null, "the residual adds couple " + g
                        + " but no residual group declares it; declared: " + spec.residualGroups());
            }
        }
    }
}
