package dev.pocketmesh.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Compute and size of a {@link NetSpec}, derived from the spec alone (per sample, batch size 1).
 *
 * <ul>
 *   <li><b>MACs</b> (multiply-accumulates): Conv2d = H_out * W_out * C_out * (C_in / groups) * k * k;
 *       Linear = in * out. Biases, BatchNorm (foldable into the preceding conv at inference), ReLU, pooling
 *       and residual additions count 0 MACs; this matches the convention behind the published ResNet / VGG /
 *       MobileNet numbers. A projection shortcut's conv counts toward its Add.</li>
 *   <li><b>FLOPs = 2 x MACs</b> (one multiply and one add per MAC). Note that many papers say "FLOPs" for
 *       what is here called MACs (e.g. He et al.'s "41M" for ResNet-20 is MACs).</li>
 *   <li><b>Parameters</b> (learnable): conv and linear weights, their biases when {@code bias}, and
 *       BatchNorm's 2 learnable values per channel (scale gamma, shift beta). BatchNorm's running mean and
 *       variance are <em>not</em> parameters.</li>
 *   <li><b>Buffers</b>: BatchNorm's 2 running statistics per channel; they are not learned but are stored,
 *       so {@link Cost#storedValues()} = parameters + buffers and {@link Cost#storedBytesFp32()} = 4 x that.</li>
 * </ul>
 */
public final class CostModel {
    private CostModel() {
    }

    /** Cost of one top-level layer (an Add includes its projection shortcut's conv and bn). */
    public record LayerCost(String name, String type, Shape in, Shape out, long macs, long params, long buffers) {
        public long flops() {
            return 2 * macs;
        }

        /** Scalars in this layer's output activation (per sample). */
        public long activations() {
            return out.elements();
        }
    }

    /** Totals over a network plus the per-layer breakdown. */
    public record Cost(List<LayerCost> layers, long macs, long params, long buffers) {
        public Cost {
            layers = List.copyOf(layers);
        }

        /** FLOPs = 2 x MACs. */
        public long flops() {
            return 2 * macs;
        }

        /** Parameters plus BN running statistics: what an fp32 checkpoint stores. */
        public long storedValues() {
            return params + buffers;
        }

        public long storedBytesFp32() {
            return 4 * storedValues();
        }

        public LayerCost layer(String name) {
            return layers.stream().filter(l -> l.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no layer '" + name + "'"));
        }
    }

    /** Validates the spec with {@link ShapeInference} and returns its costs. */
    public static Cost of(NetSpec spec) {
        List<ShapeInference.LayerShape> shapes = ShapeInference.infer(spec);
        List<LayerCost> costs = new ArrayList<>();
        long macs = 0;
        long params = 0;
        long buffers = 0;
        for (int i = 0; i < shapes.size(); i++) {
            Layer layer = spec.layers().get(i);
            ShapeInference.LayerShape s = shapes.get(i);
            long m = 0;
            long p = 0;
            long b = 0;
            if (layer instanceof Layer.Conv2d c) {
                m = convMacs(c, s.out());
                p = convParams(c);
            } else if (layer instanceof Layer.BatchNorm bn) {
                p = 2L * bn.channels();
                b = 2L * bn.channels();
            } else if (layer instanceof Layer.Linear l) {
                m = (long) l.inFeatures() * l.outFeatures();
                p = m + (l.bias() ? l.outFeatures() : 0);
            } else if (layer instanceof Layer.Add a && a.shortcut() != null) {
                Layer.Conv2d c = a.shortcut().conv();
                m = convMacs(c, s.out()); // the shortcut's output has the Add's output shape
                int bnChannels = a.shortcut().bn() == null ? 0 : a.shortcut().bn().channels();
                p = convParams(c) + 2L * bnChannels;
                b = 2L * bnChannels;
            }
            costs.add(new LayerCost(layer.name(), typeName(layer), s.in(), s.out(), m, p, b));
            macs += m;
            params += p;
            buffers += b;
        }
        return new Cost(costs, macs, params, buffers);
    }

    public static long macs(NetSpec spec) {
        return of(spec).macs();
    }

    public static long flops(NetSpec spec) {
        return of(spec).flops();
    }

    public static long params(NetSpec spec) {
        return of(spec).params();
    }

    static long convMacs(Layer.Conv2d c, Shape out) {
        return (long) out.height() * out.width() * c.outChannels() * (c.inChannels() / c.groups())
                * c.kernel() * c.kernel();
    }

    static long convParams(Layer.Conv2d c) {
        return (long) c.outChannels() * (c.inChannels() / c.groups()) * c.kernel() * c.kernel()
                + (c.bias() ? c.outChannels() : 0);
    }

    private static String typeName(Layer layer) {
        return layer.getClass().getSimpleName();
    }
}
