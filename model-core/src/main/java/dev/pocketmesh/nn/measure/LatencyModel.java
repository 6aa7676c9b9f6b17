package dev.pocketmesh.nn.measure;

import dev.pocketmesh.artifacts.ArtifactStore;
import dev.pocketmesh.json.Json;
import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.PruningUnits;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.nn.onnx.OnnxExport;
import dev.pocketmesh.nn.onnx.OnnxRuntimeModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * NetAdapt-style latency model of one device profile: a network's batch-1 latency estimated as the sum of its
 * pieces' latencies, each looked up in a table measured once per piece configuration on the device. A piece is what
 * ONNX Runtime runs as one fused kernel: a convolution with its batch norm and ReLU, a linear layer with its ReLU,
 * a pool, an add, a flatten. Each is timed as a one-piece ONNX graph (the fp32 exporter on a one-piece
 * {@link NetSpec}, seeded random weights) in ONNX Runtime with the profile's thread count. A piece that ends in a
 * feature map needs a head to be a valid network (global average pool + flatten); that head is timed on its own and
 * subtracted, as is the fixed cost of one session run, which the whole network pays once.
 *
 * <p>The table maps a piece's key (its input shape and layers) to milliseconds; pass a table loaded from the
 * artifact store to reuse earlier measurements, and read {@link #table()} back to store new ones. Only a machine of the
 * profile times pieces (an evaluator); anything else reads the stored table with {@link #estimateFromTable}, which
 * never times and knows no estimate while a piece is missing.
 */
public final class LatencyModel {
    /** Key of the smallest possible graph: its latency is the fixed cost of one run. */
    static final String RUN_OVERHEAD = "run-overhead";

    /** One piece: its key in the table, the one-piece network timed, and the head that network carries (or null). */
    record Piece(String key, NetSpec net, NetSpec head) {
    }

    /**
     * The pieces a channel-pruning search can need that a table lacks ({@link #grid}): {@code missing} (key → one-piece
     * network) is what a device times; {@code pieces} counts the grid's pieces in all, {@code candidates} the networks
     * built to find them, {@code skipped} the new pieces of the widest grid counted that the limit left untimed,
     * {@code scope} says which grid.
     */
    public record Grid(Map<String, NetSpec> missing, int pieces, int candidates, int skipped, String scope) {
    }

    private final Map<String, Double> table;
    private final int threads;
    private final int warmup;
    private final int runs;
    private final long seed;

    public LatencyModel(Map<String, Double> table, int threads, int warmup, int runs, long seed) {
        this.table = new ConcurrentHashMap<>(table);
        this.threads = threads;
        this.warmup = warmup;
        this.runs = runs;
        this.seed = seed;
    }

    /** The table as measured so far, piece key → median milliseconds. */
    public Map<String, Double> table() {
        return Map.copyOf(table);
    }

    /** Where a device profile's table lies in the artifact store. */
    public static String tablePath(String profile) {
        return "latency-models/" + profile + ".json";
    }

    /** Stores {@code table} as {@code profile}'s, in key order, where {@link #readTable} finds it. */
    public static void writeTable(ArtifactStore artifacts, String profile, Map<String, Double> table) {
        artifacts.put(tablePath(profile), Json.write(new TreeMap<>(table)).getBytes(StandardCharsets.UTF_8));
    }

    /** The stored table of {@code profile} (piece key → milliseconds), or empty when none was stored yet. */
    public static Map<String, Double> readTable(ArtifactStore artifacts, String profile) {
        URI uri = artifacts.uri(tablePath(profile));
        return artifacts.exists(uri) ? Json.readMetrics(new String(artifacts.get(uri), StandardCharsets.UTF_8))
                : Map.of();
    }

    /** Estimated batch-1 latency of {@code spec} in milliseconds; pieces missing from the table are timed now. */
    public double estimateMs(NetSpec spec) {
        return sum(spec, this::lookup).orElseThrow();
    }

    /**
     * The estimate of {@code spec} from {@code table} alone, read-only: empty when the table lacks a piece of it.
     *
     * @throws IllegalArgumentException when {@code spec} has a layer the model cannot split into pieces
     */
    public static OptionalDouble estimateFromTable(Map<String, Double> table, NetSpec spec) {
        return sum(spec, (key, net) -> table.get(key));
    }

    /**
     * Every one-piece network whose latency an estimate of {@code spec} reads, by table key: its pieces, the heads
     * they carry and the run overhead (what a device times to fill a table for {@code spec}).
     */
    public static Map<String, NetSpec> pieceNetworks(NetSpec spec) {
        Map<String, NetSpec> nets = new java.util.LinkedHashMap<>();
        sum(spec, (key, net) -> {
            nets.put(key, net);
            return 0.0;
        });
        return nets;
    }

    /**
     * Times the pieces of {@code pieces} (key → one-piece network, as {@link #pieceNetworks} or {@link #grid} give
     * them) that the table lacks.
     *
     * @return how many were timed
     */
    public int timeMissing(Map<String, NetSpec> pieces) {
        int before = table.size();
        pieces.forEach(this::lookup);
        return table.size() - before;
    }

    /**
     * NetAdapt's up-front table: the pieces that any network a channel-pruning search of {@code net} can propose needs,
     * less those {@code table} has, at most {@code maxPieces}. {@code choices} are the channel counts each pruning
     * unit can keep (by unit name, as the learner makes them); candidates are built with {@link PruningUnits#apply}.
     *
     * <p>A piece's configuration depends only on the units whose pruning changes it (a conv on its input's unit and
     * its own): pruning each unit alone, to its fewest channels, shows which pieces it touches; the grid is then, for
     * every set of units that touch one piece, every combination of their counts (the rest whole), which covers the
     * pieces of every combination of all units. When that needs more than {@code maxPieces} new pieces, the grid
     * varies one unit at a time (the rest whole: the marginal pieces, exact for pieces one unit decides), and takes
     * the first {@code maxPieces} of those when even they are too many.
     */
    public static Grid grid(NetSpec net, Map<String, List<Integer>> choices, Map<String, Double> table,
            int maxPieces) {
        Map<String, Integer> whole = new LinkedHashMap<>();
        choices.forEach((unit, counts) -> whole.put(unit, counts.get(counts.size() - 1)));
        List<String> wholeKeys = pieces(PruningUnits.apply(net, whole)).stream().map(Piece::key).toList();
        // Which pieces each unit touches, by position (pruning changes shapes, never the pieces' order).
        Map<Integer, List<String>> touching = new java.util.TreeMap<>();
        for (Map.Entry<String, List<Integer>> unit : choices.entrySet()) {
            if (unit.getValue().size() < 2) {
                continue;
            }
            Map<String, Integer> keep = new LinkedHashMap<>(whole);
            keep.put(unit.getKey(), unit.getValue().get(0));
            List<Piece> pruned = pieces(PruningUnits.apply(net, keep));
            for (int i = 0; i < pruned.size(); i++) {
                if (!pruned.get(i).key().equals(wholeKeys.get(i))) {
                    touching.computeIfAbsent(i, k -> new ArrayList<>()).add(unit.getKey());
                }
            }
        }
        Set<List<String>> jointly = new LinkedHashSet<>(touching.values());
        Set<List<String>> alone = new LinkedHashSet<>();
        choices.keySet().forEach(unit -> alone.add(List.of(unit)));

        long jointCandidates = jointly.stream().mapToLong(units -> combinations(units, choices)).sum();
        // Building candidates is cheap next to timing pieces, but not free: no joint grid far past the limit.
        int jointMissing = -1;
        if (jointCandidates <= 20L * Math.max(1, maxPieces)) {
            Grid joint = collect(net, whole, choices, jointly, table, "every combination of the units a piece "
                    + "depends on");
            if (joint.missing().size() <= maxPieces) {
                return joint;
            }
            jointMissing = joint.missing().size();
        }
        Grid marginal = collect(net, whole, choices, alone, table, "one unit at a time");
        String scope = jointMissing < 0 ? "one unit at a time (" + jointCandidates + " joint candidates not built)"
                : "one unit at a time (" + jointMissing + " new pieces jointly)";
        Map<String, NetSpec> chosen = new LinkedHashMap<>();
        marginal.missing().entrySet().stream().limit(maxPieces).forEach(e -> chosen.put(e.getKey(), e.getValue()));
        if (chosen.size() < marginal.missing().size()) {
            scope += ", first " + maxPieces + " new pieces";
        }
        // Skipped: the new pieces of the widest grid counted that are not timed.
        int skipped = Math.max(jointMissing, marginal.missing().size()) - chosen.size();
        return new Grid(chosen, marginal.pieces(), marginal.candidates(), skipped, scope);
    }

    private static long combinations(List<String> units, Map<String, List<Integer>> choices) {
        long n = 1;
        for (String unit : units) {
            n *= choices.get(unit).size();
        }
        return n;
    }

    /** The pieces of every network with the units of one set at every combination of their counts, the rest whole. */
    private static Grid collect(NetSpec net, Map<String, Integer> whole, Map<String, List<Integer>> choices,
            Set<List<String>> unitSets, Map<String, Double> table, String scope) {
        Map<String, NetSpec> all = new LinkedHashMap<>(pieceNetworks(PruningUnits.apply(net, whole)));
        int candidates = 1;
        for (List<String> units : unitSets) {
            List<Map<String, Integer>> keeps = List.of(new LinkedHashMap<>(whole));
            for (String unit : units) {
                List<Map<String, Integer>> next = new ArrayList<>();
                for (Map<String, Integer> keep : keeps) {
                    for (int count : choices.get(unit)) {
                        Map<String, Integer> k = new LinkedHashMap<>(keep);
                        k.put(unit, count);
                        next.add(k);
                    }
                }
                keeps = next;
            }
            for (Map<String, Integer> keep : keeps) {
                all.putAll(pieceNetworks(PruningUnits.apply(net, keep)));
                candidates++;
            }
        }
        Map<String, NetSpec> missing = new LinkedHashMap<>(all);
        missing.keySet().removeAll(table.keySet());
        return new Grid(missing, all.size(), candidates, 0, scope);
    }

    /** The sum over pieces, each looked up by key; empty as soon as a lookup knows no latency (returns null). */
    private static OptionalDouble sum(NetSpec spec, BiFunction<String, NetSpec, Double> lookup) {
        Double overhead = lookup.apply(RUN_OVERHEAD, overheadNet());
        if (overhead == null) {
            return OptionalDouble.empty();
        }
        double sum = overhead;
        for (Piece piece : pieces(spec)) {
            Double withHead = lookup.apply(piece.key(), piece.net());
            Double head = piece.head() == null ? overhead : lookup.apply(key(piece.head()), piece.head());
            if (withHead == null || head == null) {
                return OptionalDouble.empty();
            }
            sum += Math.max(0, withHead - head);
        }
        return OptionalDouble.of(sum);
    }

    private double lookup(String key, NetSpec net) {
        Double known = table.get(key);
        if (known != null) {
            return known;
        }
        double measured = time(net);
        table.put(key, measured);
        return measured;
    }

    private double time(NetSpec net) {
        byte[] onnx = OnnxExport.fp32(net, RandomWeights.of(net, seed));
        try (OnnxRuntimeModel model = OnnxRuntimeModel.load(onnx, net, threads)) {
            return LatencyMeter.measure(List.of(model), warmup, runs, seed).get(0).medianMs();
        }
    }

    /** The pieces of {@code spec} in order, as stand-alone networks. */
    static List<Piece> pieces(NetSpec spec) {
        List<ShapeInference.LayerShape> shapes = ShapeInference.infer(spec);
        List<Layer> layers = spec.layers();
        List<Piece> pieces = new ArrayList<>();
        int i = 0;
        while (i < layers.size()) {
            Layer first = layers.get(i);
            Shape in = shapes.get(i).in();
            List<Layer> group = new ArrayList<>(List.of(first));
            int next = i + 1;
            // What ONNX Runtime fuses into one kernel: conv (+ batch norm) (+ ReLU), linear (+ ReLU).
            if (first instanceof Layer.Conv2d) {
                if (next < layers.size() && layers.get(next) instanceof Layer.BatchNorm) {
                    group.add(layers.get(next++));
                }
                if (next < layers.size() && layers.get(next) instanceof Layer.Relu) {
                    group.add(layers.get(next++));
                }
            } else if (first instanceof Layer.Linear && next < layers.size()
                    && layers.get(next) instanceof Layer.Relu) {
                group.add(layers.get(next++));
            }
            if (first instanceof Layer.Add add) {
                if (add.shortcut() != null) {
                    // The projection shortcut runs on the tensor the add reads: a conv (+ batch norm) piece there.
                    List<Layer> shortcut = new ArrayList<>(List.of(add.shortcut().conv()));
                    if (add.shortcut().bn() != null) {
                        shortcut.add(add.shortcut().bn());
                    }
                    pieces.add(piece(shapeOf(spec, shapes, add.from()), shapes.get(i).out(), shortcut));
                }
                // The sum itself, on the main path's shape (both operands have it).
                pieces.add(piece(in, in, List.of(new Layer.Add("add", NetSpec.INPUT, null))));
            } else {
                pieces.add(piece(in, shapes.get(next - 1).out(), group));
            }
            i = next;
        }
        return pieces;
    }

    private static Shape shapeOf(NetSpec spec, List<ShapeInference.LayerShape> shapes, String layer) {
        if (NetSpec.INPUT.equals(layer)) {
            return spec.input();
        }
        return shapes.stream().filter(s -> s.name().equals(layer)).findFirst().orElseThrow().out();
    }

    /**
     * A one-piece network from {@code in} to {@code out} (known from the whole network's shapes): layers renamed so
     * equal configurations share one key.
     */
    private static Piece piece(Shape in, Shape out, List<Layer> layers) {
        List<Layer> renamed = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            renamed.add(renamed(layers.get(k), "p" + k));
        }
        NetSpec head = null;
        List<Layer> all = new ArrayList<>(renamed);
        int classes = (int) out.elements();
        if (!out.flat()) {
            head = headNet(out);
            all.add(new Layer.GlobalAvgPool("head-pool"));
            all.add(new Layer.Flatten("head-flatten"));
            classes = out.channels();
        }
        NetSpec net = new NetSpec("piece", in, classes, all, List.of());
        return new Piece(key(net), net, head);
    }

    private static NetSpec headNet(Shape in) {
        return new NetSpec("head", in, in.channels(), List.of(new Layer.GlobalAvgPool("head-pool"),
                new Layer.Flatten("head-flatten")), List.of());
    }

    private static NetSpec overheadNet() {
        return headNet(Shape.chw(1, 1, 1));
    }

    private static String key(NetSpec net) {
        return net.input() + "|" + net.layers();
    }

    private static Layer renamed(Layer layer, String name) {
        if (layer instanceof Layer.Conv2d c) {
            return new Layer.Conv2d(name, c.inChannels(), c.outChannels(), c.kernel(), c.stride(), c.padding(),
                    c.groups(), c.bias());
        }
        if (layer instanceof Layer.BatchNorm b) {
            return new Layer.BatchNorm(name, b.channels());
        }
        if (layer instanceof Layer.Relu) {
            return new Layer.Relu(name);
        }
        if (layer instanceof Layer.MaxPool p) {
            return new Layer.MaxPool(name, p.kernel(), p.stride());
        }
        if (layer instanceof Layer.AvgPool p) {
            return new Layer.AvgPool(name, p.kernel(), p.stride());
        }
        if (layer instanceof Layer.GlobalAvgPool) {
            return new Layer.GlobalAvgPool(name);
        }
        if (layer instanceof Layer.Flatten) {
            return new Layer.Flatten(name);
        }
        if (layer instanceof Layer.Linear l) {
            return new Layer.Linear(name, l.inFeatures(), l.outFeatures(), l.bias());
        }
        if (layer instanceof Layer.Add a) {
            return new Layer.Add(name, a.from(), null);
        }
        throw new IllegalArgumentException("the latency model has no piece for layer " + layer);
    }
}
