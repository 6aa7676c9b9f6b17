package dev.pocketmesh.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The layers whose weights compression quantizes, sparsifies or clusters: every conv and linear, top-level or the
 * projection conv of a shortcut, in spec order, with the number of values in its weight (biases excluded: they stay
 * float, and are few).
 */
public final class WeightLayers {
    private WeightLayers() {
    }

    public record WeightLayer(String name, long weights) {
    }

    public static List<WeightLayer> of(NetSpec net) {
        List<WeightLayer> out = new ArrayList<>();
        for (Layer layer : net.layers()) {
            if (layer instanceof Layer.Conv2d c) {
                out.add(new WeightLayer(c.name(), convWeights(c)));
            } else if (layer instanceof Layer.Linear l) {
                out.add(new WeightLayer(l.name(), (long) l.inFeatures() * l.outFeatures()));
            } else if (layer instanceof Layer.Add a && a.shortcut() != null) {
                out.add(new WeightLayer(a.shortcut().conv().name(), convWeights(a.shortcut().conv())));
            }
        }
        return out;
    }

    public static List<String> names(NetSpec net) {
        return of(net).stream().map(WeightLayer::name).toList();
    }

    private static long convWeights(Layer.Conv2d c) {
        return (long) c.outChannels() * (c.inChannels() / c.groups()) * c.kernel() * c.kernel();
    }
}
