package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * A plain-Java forward pass of a {@link NetSpec} in inference mode (BatchNorm with running statistics,
 * eps 1e-5 as in the DJL network), the independent reference the pruning tests compare against. Feature maps
 * are [N, C, H, W], flat features [N, F]. Written for clarity, not speed: tests keep inputs small.
 */
final class ReferenceNet {
    static final float BN_EPSILON = 1e-5f;

    private ReferenceNet() {
    }

    /** The network output, [N, classes]. */
    static Tensor forward(NetSpec spec, Weights weights, Tensor input) {
        return run(spec, weights, input, null);
    }

    /** What top-level layer {@code layer} receives (the output of the layer before it). */
    static Tensor inputOf(NetSpec spec, Weights weights, Tensor input, String layer) {
        if (spec.indexOf(layer) < 0) {
            throw new IllegalArgumentException("no layer " + layer);
        }
        return run(spec, weights, input, layer);
    }

    private static Tensor run(NetSpec spec, Weights weights, Tensor input, String stopBefore) {
        Map<String, Tensor> outputs = new HashMap<>();
        outputs.put(NetSpec.INPUT, input);
        Tensor x = input;
        for (Layer layer : spec.layers()) {
            if (layer.name().equals(stopBefore)) {
                return x;
            }
            if (layer instanceof Layer.Conv2d c) {
                x = conv(x, c, weights);
            } else if (layer instanceof Layer.BatchNorm bn) {
                x = batchNorm(x, bn.name(), weights);
            } else if (layer instanceof Layer.Relu) {
                x = relu(x);
            } else if (layer instanceof Layer.MaxPool p) {
                x = pool(x, p.kernel(), p.stride(), true);
            } else if (layer instanceof Layer.AvgPool p) {
                x = pool(x, p.kernel(), p.stride(), false);
            } else if (layer instanceof Layer.GlobalAvgPool) {
                x = globalAveragePool(x);
            } else if (layer instanceof Layer.Flatten) {
                x = new Tensor(new int[] {x.dim(0), x.size() / x.dim(0)}, x.data());
            } else if (layer instanceof Layer.Linear l) {
                x = linear(x, l, weights);
            } else if (layer instanceof Layer.Add a) {
                Tensor other = outputs.get(a.from());
                if (a.shortcut() != null) {
                    other = batchNorm(conv(other, a.shortcut().conv(), weights), a.shortcut().bn().name(), weights);
                }
                float[] sum = x.data().clone();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += other.data()[i];
                }
                x = new Tensor(x.shape(), sum);
            }
            outputs.put(layer.name(), x);
        }
        return x;
    }

    static Tensor conv(Tensor x, Layer.Conv2d c, Weights weights) {
        Tensor bias = c.bias() ? weights.get(c.name(), Weights.BIAS) : null;
        return conv(x, weights.get(c.name(), Weights.WEIGHT), bias, c.stride(), c.padding(), c.groups());
    }

    /** Direct convolution: x [N, C, H, W], weight [O, C/groups, k, k], bias [O] or null. */
    static Tensor conv(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int groups) {
        int n = x.dim(0);
        int cin = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int cout = weight.dim(0);
        int perGroupIn = weight.dim(1);
        int k = weight.dim(2);
        int outH = (h + 2 * padding - k) / stride + 1;
        int outW = (w + 2 * padding - k) / stride + 1;
        int perGroupOut = cout / groups;
        float[] in = x.data();
        float[] wt = weight.data();
        float[] out = new float[n * cout * outH * outW];
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < cout; o++) {
                int firstIn = (o / perGroupOut) * perGroupIn;
                float b = bias == null ? 0f : bias.data()[o];
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        double sum = b;
                        for (int ci = 0; ci < perGroupIn; ci++) {
                            int plane = (img * cin + firstIn + ci) * h * w;
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * stride - padding + ky;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ox * stride - padding + kx;
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    sum += in[plane + iy * w + ix] * wt[((o * perGroupIn + ci) * k + ky) * k + kx];
                                }
                            }
                        }
                        out[((img * cout + o) * outH + oy) * outW + ox] = (float) sum;
                    }
                }
            }
        }
        return new Tensor(new int[] {n, cout, outH, outW}, out);
    }

    /** Per channel (axis 1) of [N, C, ...]: gamma * (x - mean) / sqrt(var + eps) + beta. */
    static Tensor batchNorm(Tensor x, String name, Weights weights) {
        float[] gamma = weights.get(name, Weights.GAMMA).data();
        float[] beta = weights.get(name, Weights.BETA).data();
        float[] mean = weights.get(name, Weights.RUNNING_MEAN).data();
        float[] var = weights.get(name, Weights.RUNNING_VAR).data();
        int channels = x.dim(1);
        int inner = x.size() / (x.dim(0) * channels);
        float[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) {
            int c = (i / inner) % channels;
            out[i] = (float) (gamma[c] * (out[i] - mean[c]) / Math.sqrt(var[c] + BN_EPSILON) + beta[c]);
        }
        return new Tensor(x.shape(), out);
    }

    static Tensor relu(Tensor x) {
        float[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(0f, out[i]);
        }
        return new Tensor(x.shape(), out);
    }

    static Tensor pool(Tensor x, int kernel, int stride, boolean max) {
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int outH = (h - kernel) / stride + 1;
        int outW = (w - kernel) / stride + 1;
        float[] in = x.data();
        float[] out = new float[n * c * outH * outW];
        for (int plane = 0; plane < n * c; plane++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int ky = 0; ky < kernel; ky++) {
                        for (int kx = 0; kx < kernel; kx++) {
                            float v = in[plane * h * w + (oy * stride + ky) * w + ox * stride + kx];
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    out[(plane * outH + oy) * outW + ox] = (float) (max ? acc : acc / (kernel * kernel));
                }
            }
        }
        return new Tensor(new int[] {n, c, outH, outW}, out);
    }

    static Tensor globalAveragePool(Tensor x) {
        int planes = x.dim(0) * x.dim(1);
        int area = x.dim(2) * x.dim(3);
        float[] out = new float[planes];
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int i = 0; i < area; i++) {
                sum += x.data()[p * area + i];
            }
            out[p] = (float) (sum / area);
        }
        return new Tensor(new int[] {x.dim(0), x.dim(1), 1, 1}, out);
    }

    static Tensor linear(Tensor x, Layer.Linear l, Weights weights) {
        float[] wt = weights.get(l.name(), Weights.WEIGHT).data();
        float[] bias = l.bias() ? weights.get(l.name(), Weights.BIAS).data() : null;
        int n = x.dim(0);
        int in = l.inFeatures();
        int out = l.outFeatures();
        float[] y = new float[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double sum = bias == null ? 0 : bias[o];
                for (int f = 0; f < in; f++) {
                    sum += x.data()[i * in + f] * wt[o * in + f];
                }
                y[i * out + o] = (float) sum;
            }
        }
        return new Tensor(new int[] {n, out}, y);
    }

    /** Seeded N(0, 1) images [n, c, h, w]. */
    static Tensor images(int n, int c, int h, int w, long seed) {
        Random random = new Random(seed);
        float[] data = new float[n * c * h * w];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Tensor(new int[] {n, c, h, w}, data);
    }

    /** max |a - b| / max(1, max |b|). */
    static double relativeMaxDifference(Tensor a, Tensor b) {
        double diff = 0;
        double scale = 1;
        for (int i = 0; i < a.size(); i++) {
            diff = Math.max(diff, Math.abs(a.data()[i] - b.data()[i]));
            scale = Math.max(scale, Math.abs(b.data()[i]));
        }
        return diff / scale;
    }

    /** ||a - b|| / ||b||. */
    static double relativeError(Tensor a, Tensor b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = a.data()[i] - b.data()[i];
            num += d * d;
            den += (double) b.data()[i] * b.data()[i];
        }
        return Math.sqrt(num / den);
    }
}
