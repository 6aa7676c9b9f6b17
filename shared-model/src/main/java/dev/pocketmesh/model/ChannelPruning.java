package dev.pocketmesh.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Channel pruning as spec editing (no weights): a conv gets fewer output channels and every consumer is
 * updated so the spec stays valid: its BatchNorm, a following depthwise conv (and its BN, since a depthwise
 * conv's channels follow its input), the next dense conv's {@code inChannels}, a projection shortcut reading
 * it, or the first Linear's {@code inFeatures} after a Flatten (C*H*W). A hidden Linear ({@link PruningUnits}) gets
 * fewer output features the same way, and the next Linear fewer input features.
 *
 * <p>Convs writing into one residual stream (summed by {@link Layer.Add}) must keep equal output channels;
 * {@link #couplingGroups} lists them, {@link #pruneConv} refuses to prune one alone and {@link #pruneGroup}
 * prunes a whole group. In a ResNet basic block the first conv is not coupled: pruning it only changes the
 * block's second conv's input (the usual choice of He et al. / PocketFlow).
 */
public final class ChannelPruning {
    private ChannelPruning() {
    }

    /**
     * Sets of layers whose output channels must stay equal, in spec order; only sets of two or more are
     * listed. Members are conv names (top-level or projection shortcut convs) and {@link NetSpec#INPUT} when
     * the network input is part of a residual stream (such a group cannot be pruned).
     */
    public static List<List<String>> couplingGroups(NetSpec spec) {
        return Coupling.groups(spec);
    }

    /**
     * Keeps {@code keepChannels} output channels of the uncoupled dense conv {@code convName}.
     *
     * @throws NetSpecException when the conv does not exist, is depthwise (prune its producer instead), is
     *                          coupled with other convs by residual adds (use {@link #pruneGroup}), or when
     *                          keepChannels is not in [1, outChannels]
     */
    public static NetSpec pruneConv(NetSpec spec, String convName, int keepChannels) {
        ShapeInference.infer(spec);
        Layer.Conv2d conv = spec.conv(convName)
                .orElseThrow(() -> new NetSpecException(convName, "no conv of that name in " + spec.name()));
        for (List<String> group : couplingGroups(spec)) {
            if (group.contains(convName)) {
                throw new NetSpecException(convName, "output channels are coupled by residual additions with "
                        + group + "; prune them together with pruneGroup");
            }
        }
        return prune(spec, List.of(convName), keepChannels);
    }

    /**
     * Keeps {@code keepChannels} output channels of every conv in {@code group}, which must be exactly one of
     * {@link #couplingGroups} (in any order) or a single uncoupled conv.
     */
    public static NetSpec pruneGroup(NetSpec spec, List<String> group, int keepChannels) {
        ShapeInference.infer(spec);
        Set<String> wanted = Set.copyOf(group);
        List<List<String>> groups = couplingGroups(spec);
        boolean known = groups.stream().anyMatch(g -> Set.copyOf(g).equals(wanted));
        if (!known) {
            if (wanted.size() == 1 && spec.conv(group.get(0)).isEmpty()) {
                return pruneLinear(spec, group.get(0), keepChannels);
            }
            if (wanted.size() == 1) {
                return pruneConv(spec, group.get(0), keepChannels);
            }
            throw new NetSpecException(null, "convs " + group + " are not a coupling group of " + spec.name()
                    + "; coupling groups: " + groups);
        }
        if (wanted.contains(NetSpec.INPUT)) {
            throw new NetSpecException(null, "group " + group + " is coupled with the network input, whose channels "
                    + "are fixed");
        }
        return prune(spec, group, keepChannels);
    }

    /**
     * Keeps {@code keepFeatures} output features of the hidden Linear {@code linearName}.
     *
     * @throws NetSpecException when there is no such Linear, it is not hidden (the last Linear gives the classes),
     *                          or keepFeatures is not in [1, outFeatures]
     */
    public static NetSpec pruneLinear(NetSpec spec, String linearName, int keepFeatures) {
        ShapeInference.infer(spec);
        Layer.Linear linear = PruningUnits.hiddenLinears(spec).stream().filter(l -> l.name().equals(linearName))
                .findFirst().orElseThrow(() -> new NetSpecException(linearName, "no conv or hidden Linear layer of "
                        + "that name in " + spec.name() + " (the last Linear's outputs are the classes)"));
        if (keepFeatures < 1 || keepFeatures > linear.outFeatures()) {
            throw new NetSpecException(linearName, "keepFeatures must be in [1, " + linear.outFeatures() + "], got "
                    + keepFeatures);
        }
        return rebuild(spec, Map.of(linearName, linear.withOutFeatures(keepFeatures)), List.of(linearName),
                keepFeatures);
    }

    private static NetSpec prune(NetSpec spec, List<String> convNames, int keep) {
        Map<String, Layer> edited = new HashMap<>();
        for (String name : convNames) {
            Layer.Conv2d conv = spec.conv(name)
                    .orElseThrow(() -> new NetSpecException(name, "no conv of that name in " + spec.name()));
            if (conv.depthwise()) {
                throw new NetSpecException(name, "a depthwise conv's channels follow its input; prune the conv "
                        + "that produces its input instead");
            }
            if (keep < 1 || keep > conv.outChannels()) {
                throw new NetSpecException(name, "keepChannels must be in [1, " + conv.outChannels() + "], got " + keep);
            }
            if (conv.groups() > 1 && keep % conv.groups() != 0) {
                throw new NetSpecException(name, "keepChannels " + keep + " is not a multiple of groups " + conv.groups());
            }
            edited.put(name, conv.withOutChannels(keep));
        }
        return rebuild(spec, edited, convNames, keep);
    }

    private static NetSpec rebuild(NetSpec spec, Map<String, Layer> edited, List<String> names, int keep) {
        try {
            NetSpec result = spec.withLayers(reconcile(spec, edited));
            ShapeInference.infer(result);
            return result;
        } catch (IllegalArgumentException e) {
            if (e instanceof NetSpecException nse) {
                throw nse;
            }
            throw new NetSpecException(null, "pruning " + names + " to " + keep + " channels gives an invalid "
                    + "network: " + e.getMessage());
        }
    }

    /**
     * Applies the edited convs, then walks the layers with the actual incoming shapes and adapts every
     * channel-consuming field to them (the spec was valid before the edit, so only consumers of the edited
     * convs change).
     */
    private static List<Layer> reconcile(NetSpec spec, Map<String, Layer> edited) {
        List<Layer> out = new ArrayList<>();
        Map<String, Shape> outputs = new HashMap<>();
        outputs.put(NetSpec.INPUT, spec.input());
        Shape current = spec.input();
        for (Layer layer : spec.layers()) {
            Layer fixed = layer;
            if (layer instanceof Layer.Conv2d c) {
                fixed = adapt((Layer.Conv2d) edited.getOrDefault(c.name(), c), current.channels());
            } else if (layer instanceof Layer.BatchNorm bn) {
                fixed = new Layer.BatchNorm(bn.name(), current.channels());
            } else if (layer instanceof Layer.Linear l && current.flat()) {
                fixed = ((Layer.Linear) edited.getOrDefault(l.name(), l)).withInFeatures(current.channels());
            } else if (layer instanceof Layer.Add a && a.shortcut() != null) {
                Shape from = outputs.get(a.from());
                Layer.Conv2d sc = a.shortcut().conv();
                Layer.Conv2d conv = adapt((Layer.Conv2d) edited.getOrDefault(sc.name(), sc), from == null ? sc.inChannels() : from.channels());
                Layer.BatchNorm bn = a.shortcut().bn() == null ? null
                        : new Layer.BatchNorm(a.shortcut().bn().name(), conv.outChannels());
                fixed = new Layer.Add(a.name(), a.from(), new Layer.Shortcut(conv, bn));
            }
            Shape next = ShapeInference.step(fixed, current, outputs);
            outputs.put(fixed.name(), next);
            out.add(fixed);
            current = next;
        }
        return out;
    }

    private static Layer.Conv2d adapt(Layer.Conv2d c, int inChannels) {
        if (c.inChannels() == inChannels) {
            return c;
        }
        if (c.depthwise()) {
            return new Layer.Conv2d(c.name(), inChannels, inChannels, c.kernel(), c.stride(), c.padding(), inChannels,
                    c.bias());
        }
        return c.withInChannels(inChannels);
    }
}
