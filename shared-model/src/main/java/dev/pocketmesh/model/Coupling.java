package dev.pocketmesh.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which channel producers (convs, linears, the input) must keep equal output channels: union-find over the
 * "channel stream" of every tensor. A dense conv or linear starts a new stream; depthwise convs, BN, ReLU and
 * pools pass their input's stream through; an Add joins the streams of its two addends.
 */
final class Coupling {
    private Coupling() {
    }

    static List<List<String>> groups(NetSpec spec) {
        Map<String, String> parent = new LinkedHashMap<>(); // producer -> parent, insertion = spec order
        Map<String, String> stream = new HashMap<>(); // layer output -> producer naming its stream
        parent.put(NetSpec.INPUT, NetSpec.INPUT);
        stream.put(NetSpec.INPUT, NetSpec.INPUT);
        String current = NetSpec.INPUT;
        for (Layer layer : spec.layers()) {
            String out = current;
            if (layer instanceof Layer.Conv2d c && !c.depthwise()) {
                out = fresh(parent, c.name());
            } else if (layer instanceof Layer.Linear || layer instanceof Layer.Flatten) {
                out = fresh(parent, layer.name());
            } else if (layer instanceof Layer.Add a) {
                String from = stream.get(a.from());
                if (from == null) {
                    throw new NetSpecException(a.name(), "'from' names '" + a.from() + "', which is not an earlier layer");
                }
                String other = a.shortcut() == null ? from : fresh(parent, a.shortcut().conv().name());
                union(parent, current, other);
            }
            stream.put(layer.name(), out);
            current = out;
        }
        Map<String, List<String>> byRoot = new LinkedHashMap<>();
        for (String producer : parent.keySet()) {
            byRoot.computeIfAbsent(find(parent, producer), k -> new ArrayList<>()).add(producer);
        }
        List<List<String>> groups = new ArrayList<>();
        for (List<String> g : byRoot.values()) {
            if (g.size() > 1) {
                groups.add(List.copyOf(g));
            }
        }
        return groups;
    }

    private static String fresh(Map<String, String> parent, String name) {
        parent.put(name, name);
        return name;
    }

    private static String find(Map<String, String> parent, String x) {
        while (!parent.get(x).equals(x)) {
            x = parent.get(x);
        }
        return x;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            parent.put(rb, ra);
        }
    }
}
