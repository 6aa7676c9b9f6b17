package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.ChannelPruning;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Channel pruning with weights: keeps the given output channels of one pruning unit (a free conv, or every conv
 * of one residual stream) and slices every tensor that reads or writes those channels, so that the smaller
 * network computes exactly what the original computes on the kept channels.
 *
 * <p>What to slice is found by walking the spec with, for every tensor, the channels (or flat features) it still
 * carries: a member conv's output carries the kept channels; BN, ReLU, pools, and depthwise convs pass them
 * through (slicing their per-channel tensors); a dense conv or Linear reading such a tensor loses the matching
 * input slices (axis 1) and starts a whole tensor again; Flatten turns kept channels into their H*W feature
 * blocks; a hidden Linear that is a member keeps the rows of its kept neurons; an Add requires both addends to carry
 * the same channels. The spec edit itself is
 * {@link ChannelPruning#pruneGroup}; the result is checked with {@link WeightShapes#check}.
 */
public final class ChannelSlicer {
    private ChannelSlicer() {
    }

    /**
     * @param spec    the pruned network
     * @param weights its weights
     * @param sliced  every tensor that changed, as {@code <layer>.<param>[axis]}, in spec order
     */
    public record Result(NetSpec spec, Weights weights, List<String> sliced) {
        public Result {
            sliced = List.copyOf(sliced);
        }
    }

    /**
     * Keeps output channels {@code kept} (strictly increasing, in [0, channels)) of the convs {@code convs}: one
     * free dense conv, or one coupling group of {@link ChannelPruning#couplingGroups}.
     *
     * @throws IllegalArgumentException when the weights do not match the spec, a conv is unknown, grouped
     *                                  (non-depthwise, groups > 1) convs would have to be sliced, the
     *                                  indices are not strictly increasing within range, or the spec edit is
     *                                  refused (see {@link ChannelPruning#pruneGroup})
     */
    public static Result slice(NetSpec spec, Weights weights, List<String> convs, int[] kept) {
        WeightShapes.check(spec, weights);
        if (convs == null || convs.isEmpty()) {
            throw new IllegalArgumentException("convs: at least one conv to prune is needed");
        }
        int channels = -1;
        for (String name : convs) {
            int out = spec.conv(name).map(Layer.Conv2d::outChannels)
                    .or(() -> spec.layer(name).filter(Layer.Linear.class::isInstance)
                            .map(l -> ((Layer.Linear) l).outFeatures()))
                    .orElseThrow(() -> new IllegalArgumentException("convs: no conv or Linear '" + name + "' in "
                            + spec.name()));
            if (channels >= 0 && out != channels) {
                throw new IllegalArgumentException("convs: " + convs + " have different output channels");
            }
            channels = out;
        }
        checkIndices(kept, channels, "kept");
        // The spec edit first: it refuses everything ChannelPruning refuses (wrong group, depthwise member, ...).
        NetSpec pruned = ChannelPruning.pruneGroup(spec, convs, kept.length);
        Walk walk = new Walk(spec, weights, Set.copyOf(convs), kept);
        walk.run();
        Weights result = weights.with(walk.replaced);
        WeightShapes.check(pruned, result);
        return new Result(pruned, result, walk.log);
    }

    static void checkIndices(int[] kept, int channels, String field) {
        if (kept == null || kept.length == 0) {
            throw new IllegalArgumentException(field + ": at least one channel must be kept");
        }
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] < 0 || kept[i] >= channels) {
                throw new IllegalArgumentException(field + ": channel " + kept[i] + " is out of range [0, " + channels
                        + ")");
            }
            if (i > 0 && kept[i] <= kept[i - 1]) {
                throw new IllegalArgumentException(field + ": indices must be strictly increasing, got "
                        + Arrays.toString(kept));
            }
        }
    }

    /** Channel {@code c} of a C x H x W map owns flat features c*H*W .. c*H*W + H*W - 1 (row-major Flatten). */
    static int[] featureBlocks(int[] channels, int perChannel) {
        int[] features = new int[channels.length * perChannel];
        for (int i = 0; i < channels.length; i++) {
            for (int j = 0; j < perChannel; j++) {
                features[i * perChannel + j] = channels[i] * perChannel + j;
            }
        }
        return features;
    }

    /** One pass over the spec; {@code null} selection = the tensor keeps all its channels. */
    private static final class Walk {
        private final NetSpec spec;
        private final Weights weights;
        private final Set<String> members;
        private final int[] kept;
        private final Map<String, Tensor> replaced = new LinkedHashMap<>();
        private final List<String> log = new ArrayList<>();
        private final Set<String> visitedMembers = new HashSet<>();

        Walk(NetSpec spec, Weights weights, Set<String> members, int[] kept) {
            this.spec = spec;
            this.weights = weights;
            this.members = members;
            this.kept = kept;
        }

        void run() {
            List<ShapeInference.LayerShape> shapes = ShapeInference.infer(spec);
            Map<String, int[]> selectionOf = new HashMap<>();
            selectionOf.put(NetSpec.INPUT, null);
            int[] current = null;
            for (int i = 0; i < spec.layers().size(); i++) {
                Layer layer = spec.layers().get(i);
                int[] out;
                if (layer instanceof Layer.Conv2d c) {
                    out = conv(c, current);
                } else if (layer instanceof Layer.BatchNorm bn) {
                    out = batchNorm(bn, current);
                } else if (layer instanceof Layer.Flatten) {
                    Shape in = shapes.get(i).in();
                    out = current == null ? null : featureBlocks(current, in.height() * in.width());
                } else if (layer instanceof Layer.Linear l) {
                    if (current != null) {
                        slice(l.name(), Weights.WEIGHT, 1, current);
                    }
                    out = null;
                    if (members.contains(l.name())) {
                        // A hidden Linear's neurons: rows of its weight and bias, as a conv's filters.
                        visitedMembers.add(l.name());
                        slice(l.name(), Weights.WEIGHT, 0, kept);
                        if (l.bias()) {
                            slice(l.name(), Weights.BIAS, 0, kept);
                        }
                        out = kept;
                    }
                } else if (layer instanceof Layer.Add a) {
                    int[] other = selectionOf.get(a.from());
                    if (a.shortcut() != null) {
                        other = conv(a.shortcut().conv(), other);
                        if (a.shortcut().bn() != null) {
                            other = batchNorm(a.shortcut().bn(), other);
                        }
                    }
                    if (!Arrays.equals(current, other)) {
                        throw new IllegalArgumentException("layer '" + a.name() + "': pruning " + members
                                + " would add tensors with different channels (main path "
                                + describe(current) + ", shortcut from '" + a.from() + "' " + describe(other)
                                + "); prune the whole coupling group");
                    }
                    out = current;
                } else {
                    // ReLU, max/avg pooling, global average pooling: per-channel, channels pass through.
                    out = current;
                }
                selectionOf.put(layer.name(), out);
                current = out;
            }
            if (!visitedMembers.equals(members)) {
                Set<String> missing = new HashSet<>(members);
                missing.removeAll(visitedMembers);
                throw new IllegalArgumentException("convs: " + missing + " not found in " + spec.name());
            }
        }

        private int[] conv(Layer.Conv2d c, int[] in) {
            if (c.depthwise()) {
                // One filter per channel: the filters (axis 0) follow the kept input channels.
                if (in != null) {
                    slice(c.name(), Weights.WEIGHT, 0, in);
                    if (c.bias()) {
                        slice(c.name(), Weights.BIAS, 0, in);
                    }
                }
                return in;
            }
            if (c.groups() > 1 && (in != null || members.contains(c.name()))) {
                throw new IllegalArgumentException("layer '" + c.name() + "': grouped conv (groups " + c.groups()
                        + ") cannot be channel-sliced; only dense and depthwise convs are supported");
            }
            if (in != null) {
                slice(c.name(), Weights.WEIGHT, 1, in);
            }
            if (members.contains(c.name())) {
                visitedMembers.add(c.name());
                slice(c.name(), Weights.WEIGHT, 0, kept);
                if (c.bias()) {
                    slice(c.name(), Weights.BIAS, 0, kept);
                }
                return kept;
            }
            return null;
        }

        private int[] batchNorm(Layer.BatchNorm bn, int[] in) {
            if (in != null) {
                for (String p : new String[] {Weights.GAMMA, Weights.BETA, Weights.RUNNING_MEAN, Weights.RUNNING_VAR}) {
                    slice(bn.name(), p, 0, in);
                }
            }
            return in;
        }

        private void slice(String layer, String param, int axis, int[] indices) {
            String key = Weights.key(layer, param);
            // A tensor may be sliced on two axes (a conv both reading and writing the pruned stream).
            Tensor source = replaced.containsKey(key) ? replaced.get(key) : weights.get(layer, param);
            replaced.put(key, source.select(axis, indices));
            log.add(key + "[" + axis + "]");
        }

        private static String describe(int[] selection) {
            return selection == null ? "all channels" : selection.length + " kept channels";
        }
    }
}
