package dev.pocketmesh.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The independently prunable channel sets of a network, in spec order: every dense conv whose output channels
 * are free (one unit per conv), every residual stream whose producers must keep equal channels (one unit per
 * {@link ChannelPruning#couplingGroups coupling group}, unless the stream is the network input), and every hidden
 * Linear layer (its output neurons are its channels; the last Linear's outputs are the classes and stay). Depthwise
 * convs are no units: their channels follow their producer's. A search assigns one preserve ratio per unit.
 *
 * <p>Hidden Linear layers are units because in small CNNs they hold most of the parameters (LeNet-5: 94 %): a
 * network pruned to half its FLOPs through its convs alone keeps 58 % of its bytes.
 */
public final class PruningUnits {
    private PruningUnits() {
    }

    /**
     * @param name     the layer's name for a single conv or Linear; the residual group's name (or {@code
     *                 stream:<first conv>}) for a coupled set
     * @param layers   the convs (or the one Linear) whose output channels the unit sets
     * @param channels their current output channels
     */
    public record Unit(String name, List<String> layers, int channels) {
        public Unit {
            layers = List.copyOf(layers);
        }

        public boolean coupled() {
            return layers.size() > 1;
        }

        /** Channels kept for a preserve ratio: round(ratio x channels), at least 1. */
        public int keep(double ratio) {
            return keep(ratio, 1);
        }

        /**
         * Channels kept for a preserve ratio, aligned: a unit of at least {@code 2 x multiple} channels keeps a
         * multiple of {@code multiple} (at least one multiple, at most all its channels); a smaller unit keeps
         * round(ratio x channels). CPU kernels process channels in vector-wide blocks and pad the rest, so an
         * unaligned count costs the time of the next aligned one.
         */
        public int keep(double ratio, int multiple) {
            if (multiple > 1 && channels >= 2 * multiple) {
                int aligned = (int) Math.round(ratio * channels / multiple) * multiple;
                return Math.max(multiple, Math.min(channels, aligned));
            }
            return Math.max(1, Math.min(channels, (int) Math.round(ratio * channels)));
        }
    }

    public static List<Unit> of(NetSpec spec) {
        ShapeInference.infer(spec);
        List<List<String>> groups = ChannelPruning.couplingGroups(spec);
        Map<String, List<String>> groupOf = new LinkedHashMap<>();
        for (List<String> g : groups) {
            for (String member : g) {
                groupOf.put(member, g);
            }
        }
        List<Unit> units = new ArrayList<>();
        Set<List<String>> emitted = new java.util.HashSet<>();
        for (Layer.Conv2d conv : spec.convs()) {
            if (conv.depthwise()) {
                continue;
            }
            List<String> group = groupOf.get(conv.name());
            if (group == null) {
                units.add(new Unit(conv.name(), List.of(conv.name()), conv.outChannels()));
            } else if (!group.contains(NetSpec.INPUT) && emitted.add(group)) {
                units.add(new Unit(groupName(spec, group), group, conv.outChannels()));
            }
        }
        for (Layer.Linear linear : hiddenLinears(spec)) {
            units.add(new Unit(linear.name(), List.of(linear.name()), linear.outFeatures()));
        }
        return units;
    }

    /**
     * The Linear layers whose outputs reach the next Linear through per-feature layers only (ReLU, BatchNorm): their
     * neurons can go, with the matching input columns of that next Linear. The last Linear (the classes) never, nor
     * one whose features a residual add also reads (their count is tied to the other addend's).
     */
    static List<Layer.Linear> hiddenLinears(NetSpec spec) {
        Set<String> readByAdds = new java.util.HashSet<>();
        for (Layer layer : spec.layers()) {
            if (layer instanceof Layer.Add add) {
                readByAdds.add(add.from());
            }
        }
        List<Layer.Linear> hidden = new ArrayList<>();
        List<Layer> layers = spec.layers();
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof Layer.Linear linear)) {
                continue;
            }
            for (int j = i + 1; j < layers.size() && !readByAdds.contains(layers.get(j - 1).name()); j++) {
                Layer next = layers.get(j);
                if (next instanceof Layer.Linear) {
                    hidden.add(linear);
                    break;
                }
                if (!(next instanceof Layer.Relu || next instanceof Layer.BatchNorm)) {
                    break;
                }
            }
        }
        return hidden;
    }

    /** The spec with every unit cut to {@code keep.get(unit name)} channels (units not in the map stay whole). */
    public static NetSpec apply(NetSpec spec, Map<String, Integer> keep) {
        NetSpec result = spec;
        for (Unit unit : of(spec)) {
            Integer k = keep.get(unit.name());
            if (k != null && k != unit.channels()) {
                result = ChannelPruning.pruneGroup(result, unit.layers(), k);
            }
        }
        return result;
    }

    /** Channels kept per unit for preserve ratios by unit name (missing = 1.0). */
    public static Map<String, Integer> keepCounts(NetSpec spec, Map<String, Double> ratios) {
        return keepCounts(spec, ratios, 1);
    }

    /** Channels kept per unit, aligned to {@code multiple} as {@link Unit#keep(double, int)} does. */
    public static Map<String, Integer> keepCounts(NetSpec spec, Map<String, Double> ratios, int multiple) {
        Map<String, Integer> keep = new LinkedHashMap<>();
        for (Unit unit : of(spec)) {
            keep.put(unit.name(), unit.keep(ratios.getOrDefault(unit.name(), 1.0), multiple));
        }
        return keep;
    }

    private static String groupName(NetSpec spec, List<String> group) {
        Set<String> members = Set.copyOf(group);
        for (NetSpec.ResidualGroup declared : spec.residualGroups()) {
            if (Set.copyOf(declared.convs()).equals(members)) {
                return declared.name();
            }
        }
        return "stream:" + group.get(0);
    }
}
