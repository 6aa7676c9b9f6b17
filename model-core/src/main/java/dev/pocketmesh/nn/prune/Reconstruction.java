package dev.pocketmesh.nn.prune;

import dev.pocketmesh.model.Layer;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.model.ShapeInference;
import dev.pocketmesh.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_MT_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Reconstruction-based channel pruning (He, Zhang and Sun, "Channel Pruning for Accelerating Very Deep Neural
 * Networks", ICCV 2017) for one conv whose output reaches exactly one dense consumer.
 *
 * <p>Notation: the consumer sees input channels c = 0..C-1, each contributing P features per output sample
 * (a k x k patch for a conv consumer, the H*W block for a Linear after Flatten), D = C*P features in all. X is the
 * M x D matrix of sampled inputs, W the O x D consumer weights, Y = X W^T its output without bias, and
 * Z_c = X_c W_c^T the part of Y that channel c contributes. Everything needed is a quadratic form of X, so only
 * H = X^T X (D x D) is kept, not the M x O outputs: the channel Gram matrix is
 * G[c][c'] = <Z_c, Z_c'> = sum_o W_c[o] H_cc' W_c'[o]^T, <Z_c, Y> = sum_c' G[c][c'] and ||Y||^2 = sum G.
 * <ol>
 *   <li>Selection: LASSO over one coefficient per channel, min 1/2 ||Y - sum beta_c Z_c||^2 + lambda |beta|_1 by
 *       coordinate descent on G, lambda bisected until at most {@code keep} coefficients are non-zero; the
 *       {@code keep} largest |beta| win (ties and zeros filled by ||Z_c||).</li>
 *   <li>Refit: the consumer's weights on the kept channels by ridge-stabilised least squares,
 *       W' = argmin ||Y - X_K W'^T||^2, i.e. (H_KK + r I) W'^T = H_K: W^T.</li>
 * </ol>
 */
final class Reconstruction {
    /** Output positions sampled per image for a conv consumer (the paper samples 10). */
    static final int POSITIONS_PER_IMAGE = 10;
    /** Ridge added to H_KK, relative to its mean diagonal: conditioning only, far below the data's scale. */
    static final double RELATIVE_RIDGE = 1e-6;
    private static final int BISECTION_STEPS = 60;
    private static final int MAX_SWEEPS = 1000;
    /** Values of W^T W held at once while forming the channel Gram matrix (32 MB of doubles). */
    private static final int GRAM_BAND_VALUES = 4 << 20;

    private Reconstruction() {
    }

    /**
     * The dense layer that alone reads a unit's output.
     *
     * @param layer      the consumer's top-level name
     * @param linear     a Linear, after Flatten or after a hidden Linear (else a groups = 1 conv)
     * @param input      the consumer's input map, C x H x W (for a Linear: the map before Flatten)
     * @param perChannel features per input channel in one sample: k*k, H*W for a Linear after Flatten, 1 after a
     *                   Linear
     * @param conv       the consumer conv, null for a Linear
     */
    record Consumer(String layer, boolean linear, Shape input, int perChannel, Layer.Conv2d conv) {
        int channels() {
            return input.channels();
        }
    }

    /** Either a consumer, or the reason the unit does not qualify. */
    record Eligibility(Consumer consumer, String reason) {
        boolean eligible() {
            return consumer != null;
        }
    }

    /**
     * Whether the unit {@code convs} qualifies: a single top-level conv whose output passes only through BN,
     * ReLU and pooling layers (read by no residual add) to one groups = 1 conv, or to Flatten + Linear; or a hidden
     * Linear, whose neurons feed the next Linear through ReLU / BN.
     */
    static Eligibility consumerOf(NetSpec spec, List<String> convs) {
        if (convs.size() != 1) {
            return new Eligibility(null, "coupled unit: its channels feed a residual stream read by several layers");
        }
        String name = convs.get(0);
        int index = spec.indexOf(name);
        if (index < 0) {
            return new Eligibility(null, "'" + name + "' is not a top-level conv");
        }
        Set<String> readByAdds = new HashSet<>();
        for (Layer layer : spec.layers()) {
            if (layer instanceof Layer.Add a) {
                readByAdds.add(a.from());
            }
        }
        List<ShapeInference.LayerShape> shapes = ShapeInference.infer(spec);
        String previous = name;
        for (int i = index + 1; i < spec.layers().size(); i++) {
            if (readByAdds.contains(previous)) {
                return new Eligibility(null, "the output of '" + previous + "' is also read by a residual add");
            }
            Layer layer = spec.layers().get(i);
            Shape in = shapes.get(i).in();
            if (layer instanceof Layer.Conv2d c) {
                if (c.depthwise()) {
                    return new Eligibility(null, "depthwise conv '" + c.name() + "' lies between it and the next "
                            + "dense layer");
                }
                if (c.groups() != 1) {
                    return new Eligibility(null, "its consumer '" + c.name() + "' is a grouped conv");
                }
                return new Eligibility(new Consumer(c.name(), false, in, c.kernel() * c.kernel(), c), null);
            }
            if (layer instanceof Layer.Linear l && in.flat()) {
                // A hidden Linear's neurons feed the next Linear directly: one input column per neuron.
                return new Eligibility(new Consumer(l.name(), true, in, 1, null), null);
            }
            if (layer instanceof Layer.Flatten) {
                if (i + 1 < spec.layers().size() && spec.layers().get(i + 1) instanceof Layer.Linear l
                        && !readByAdds.contains(layer.name())) {
                    return new Eligibility(new Consumer(l.name(), true, in, in.height() * in.width(), null), null);
                }
                return new Eligibility(null, "Flatten '" + layer.name() + "' is not followed by a Linear");
            }
            boolean passThrough = layer instanceof Layer.BatchNorm || layer instanceof Layer.Relu
                    || layer instanceof Layer.MaxPool || layer instanceof Layer.AvgPool
                    || layer instanceof Layer.GlobalAvgPool;
            if (!passThrough) {
                return new Eligibility(null, "layer '" + layer.name() + "' between it and its consumer is not BN, "
                        + "ReLU or pooling");
            }
            previous = layer.name();
        }
        return new Eligibility(null, "no dense layer reads its output");
    }

    /** The quadratic forms of one reconstruction problem. */
    static final class Problem {
        final int channels;
        final int perChannel;
        final int outputs;
        final int samples;
        /** X^T X, D x D. */
        final DMatrixRMaj h;
        /** The consumer's weights, O x D. */
        final DMatrixRMaj w;
        /** <Z_c, Z_c'>, C x C. */
        final double[][] gram;

        Problem(int channels, int perChannel, int samples, DMatrixRMaj h, DMatrixRMaj w) {
            this.channels = channels;
            this.perChannel = perChannel;
            this.outputs = w.numRows;
            this.samples = samples;
            this.h = h;
            this.w = w;
            this.gram = channelGram(h, w, channels, perChannel);
        }

        /** <Z_c, Y>. */
        double[] correlations() {
            double[] b = new double[channels];
            for (int c = 0; c < channels; c++) {
                for (int d = 0; d < channels; d++) {
                    b[c] += gram[c][d];
                }
            }
            return b;
        }

        /** ||Y||^2. */
        double outputEnergy() {
            double sum = 0;
            for (double[] row : gram) {
                for (double v : row) {
                    sum += v;
                }
            }
            return sum;
        }
    }

    /**
     * Samples the consumer's input: for a conv, {@link #POSITIONS_PER_IMAGE} distinct output positions per image
     * (all of them when there are fewer), each giving one row of C*k*k patch values (zero padding included); for
     * a Linear, one row per image.
     *
     * @param input  the consumer input from the {@link ActivationSource}
     * @param weight the consumer's current weight, [O, C, k, k] or [O, C*H*W]
     */
    static Problem problem(Consumer consumer, Tensor input, Tensor weight, Random random) {
        Shape map = consumer.input();
        int c = map.channels();
        int p = consumer.perChannel();
        int features = c * p;
        int outputs = weight.dim(0);
        if (weight.size() != (long) outputs * features) {
            throw new IllegalArgumentException("weights: '" + consumer.layer() + ".weight' has shape "
                    + Arrays.toString(weight.shape()) + ", expected " + features + " inputs per output");
        }
        DMatrixRMaj x = consumer.linear() ? linearSamples(consumer, input) : convSamples(consumer, input, random);
        DMatrixRMaj h = new DMatrixRMaj(features, features);
        CommonOps_MT_DDRM.multInner(x, h);
        DMatrixRMaj w = new DMatrixRMaj(outputs, features);
        for (int i = 0; i < weight.size(); i++) {
            w.data[i] = weight.data()[i];
        }
        return new Problem(c, p, x.numRows, h, w);
    }

    private static DMatrixRMaj linearSamples(Consumer consumer, Tensor input) {
        Shape map = consumer.input();
        int features = Math.toIntExact(map.elements());
        boolean flat = input.rank() == 2 && input.dim(1) == features;
        boolean asMap = input.rank() == 4 && input.dim(1) == map.channels() && input.dim(2) == map.height()
                && input.dim(3) == map.width();
        if (!flat && !asMap) {
            throw new IllegalArgumentException("activations: the input of '" + consumer.layer() + "' must be [N, "
                    + features + "] or [N, " + map.channels() + ", " + map.height() + ", " + map.width() + "], got "
                    + Arrays.toString(input.shape()));
        }
        int n = input.dim(0);
        requireSamples(consumer, n);
        DMatrixRMaj x = new DMatrixRMaj(n, features);
        for (int i = 0; i < input.size(); i++) {
            x.data[i] = input.data()[i];
        }
        return x;
    }

    private static DMatrixRMaj convSamples(Consumer consumer, Tensor input, Random random) {
        Shape map = consumer.input();
        Layer.Conv2d conv = consumer.conv();
        int channels = map.channels();
        int height = map.height();
        int width = map.width();
        if (input.rank() != 4 || input.dim(1) != channels || input.dim(2) != height || input.dim(3) != width) {
            throw new IllegalArgumentException("activations: the input of '" + consumer.layer() + "' must be [N, "
                    + channels + ", " + height + ", " + width + "], got " + Arrays.toString(input.shape()));
        }
        int n = input.dim(0);
        requireSamples(consumer, n);
        int k = conv.kernel();
        int outH = Math.floorDiv(height + 2 * conv.padding() - k, conv.stride()) + 1;
        int outW = Math.floorDiv(width + 2 * conv.padding() - k, conv.stride()) + 1;
        int perImage = Math.min(POSITIONS_PER_IMAGE, outH * outW);
        int features = channels * k * k;
        DMatrixRMaj x = new DMatrixRMaj(n * perImage, features);
        float[] data = input.data();
        int[] positions = IntStream.range(0, outH * outW).toArray();
        int row = 0;
        for (int img = 0; img < n; img++) {
            // Partial Fisher-Yates: the first perImage entries become a uniform sample without replacement.
            for (int i = 0; i < perImage; i++) {
                int j = i + random.nextInt(positions.length - i);
                int tmp = positions[i];
                positions[i] = positions[j];
                positions[j] = tmp;
            }
            for (int s = 0; s < perImage; s++) {
                int oy = positions[s] / outW;
                int ox = positions[s] % outW;
                int base = row * features;
                for (int ch = 0; ch < channels; ch++) {
                    int plane = (img * channels + ch) * height * width;
                    for (int ky = 0; ky < k; ky++) {
                        int iy = oy * conv.stride() - conv.padding() + ky;
                        for (int kx = 0; kx < k; kx++) {
                            int ix = ox * conv.stride() - conv.padding() + kx;
                            boolean inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
                            x.data[base + (ch * k + ky) * k + kx] = inside ? data[plane + iy * width + ix] : 0.0;
                        }
                    }
                }
                row++;
            }
        }
        return x;
    }

    private static void requireSamples(Consumer consumer, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("activations: the input of '" + consumer.layer() + "' has no samples");
        }
    }

    /**
     * G[c][c'] = sum_o W_c[o] H_cc' W_c'[o]^T = sum over block (c, c') of H o (W^T W) (element-wise product). W^T W
     * is formed a band of channels at a time so that only a slice of it is in memory.
     */
    private static double[][] channelGram(DMatrixRMaj h, DMatrixRMaj w, int channels, int per) {
        int features = channels * per;
        int band = Math.max(1, Math.min(channels, GRAM_BAND_VALUES / Math.max(1, features * per)));
        double[][] gram = new double[channels][channels];
        for (int first = 0; first < channels; first += band) {
            int last = Math.min(channels, first + band);
            DMatrixRMaj wBand = CommonOps_DDRM.extract(w, 0, w.numRows, first * per, last * per);
            DMatrixRMaj a = new DMatrixRMaj((last - first) * per, features); // rows of W^T W for this band
            CommonOps_MT_DDRM.multTransA(wBand, w, a);
            for (int c = first; c < last; c++) {
                for (int d = 0; d < channels; d++) {
                    double sum = 0;
                    for (int i = 0; i < per; i++) {
                        int aRow = ((c - first) * per + i) * features + d * per;
                        int hRow = (c * per + i) * features + d * per;
                        for (int j = 0; j < per; j++) {
                            sum += a.data[aRow + j] * h.data[hRow + j];
                        }
                    }
                    gram[c][d] = sum;
                }
            }
        }
        return gram;
    }

    /**
     * LASSO channel selection: the {@code keep} channels, ascending. Lambda is bisected between 0 and the smallest
     * value that zeroes every coefficient until exactly {@code keep} are non-zero (or the bracket closes; then the
     * sparser side is used and the rest filled by ||Z_c||).
     */
    static int[] lassoSelect(Problem p, int keep) {
        int channels = p.channels;
        if (keep < 1 || keep > channels) {
            throw new IllegalArgumentException("keep must be in [1, " + channels + "], got " + keep);
        }
        double[] b = p.correlations();
        double lambdaMax = 0;
        for (double v : b) {
            lambdaMax = Math.max(lambdaMax, Math.abs(v));
        }
        double[] beta = new double[channels];
        double[] sparse = new double[channels]; // the latest solution with at most keep non-zeros (all zero at lambdaMax)
        if (lambdaMax > 0) {
            double lo = 0;
            double hi = lambdaMax;
            for (int step = 0; step < BISECTION_STEPS; step++) {
                double lambda = 0.5 * (lo + hi);
                coordinateDescent(p.gram, b, lambda, beta);
                int nonZero = countNonZero(beta);
                if (nonZero <= keep) {
                    hi = lambda;
                    sparse = beta.clone();
                    if (nonZero == keep) {
                        break;
                    }
                } else {
                    lo = lambda;
                }
            }
        }
        double[] coefficients = sparse;
        return IntStream.range(0, channels).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -Math.abs(coefficients[c]))
                        .thenComparingDouble(c -> -p.gram[c][c])
                        .thenComparingInt(c -> c))
                .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** Minimises 1/2 beta^T G beta - b^T beta + lambda |beta|_1 in place, warm-started from {@code beta}. */
    static void coordinateDescent(double[][] g, double[] b, double lambda, double[] beta) {
        int n = b.length;
        double[] gBeta = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                gBeta[i] += g[i][j] * beta[j];
            }
        }
        double scale = 0;
        for (double v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tolerance = 1e-10 * scale;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double largestStep = 0;
            for (int c = 0; c < n; c++) {
                if (g[c][c] <= 0) {
                    beta[c] = 0;
                    continue;
                }
                double residual = b[c] - (gBeta[c] - g[c][c] * beta[c]);
                double updated = Math.signum(residual) * Math.max(0, Math.abs(residual) - lambda) / g[c][c];
                double delta = updated - beta[c];
                if (delta != 0) {
                    for (int i = 0; i < n; i++) {
                        gBeta[i] += g[i][c] * delta;
                    }
                    beta[c] = updated;
                    largestStep = Math.max(largestStep, Math.abs(delta) * g[c][c]);
                }
            }
            if (largestStep <= tolerance) {
                return;
            }
        }
    }

    private static int countNonZero(double[] beta) {
        int n = 0;
        for (double v : beta) {
            if (v != 0) {
                n++;
            }
        }
        return n;
    }

    /** The problem restricted to kept channels: X_K^T X_K (no ridge) and X_K^T Y, and ||Y||^2. */
    record Restricted(int[] kept, DMatrixRMaj hkk, DMatrixRMaj xty, double outputEnergy) {
    }

    static Restricted restrict(Problem p, int[] kept) {
        int[] features = ChannelSlicer.featureBlocks(kept, p.perChannel);
        int dk = features.length;
        int all = p.channels * p.perChannel;
        DMatrixRMaj hkk = new DMatrixRMaj(dk, dk);
        DMatrixRMaj hk = new DMatrixRMaj(dk, all);
        for (int i = 0; i < dk; i++) {
            System.arraycopy(p.h.data, features[i] * all, hk.data, i * all, all);
            for (int j = 0; j < dk; j++) {
                hkk.data[i * dk + j] = p.h.data[features[i] * all + features[j]];
            }
        }
        DMatrixRMaj xty = new DMatrixRMaj(dk, p.outputs); // X_K^T Y = H[K, :] W^T
        CommonOps_MT_DDRM.multTransB(hk, p.w, xty);
        return new Restricted(kept.clone(), hkk, xty, p.outputEnergy());
    }

    /**
     * Refitted consumer weights on the kept channels, O x (keep*P) row-major (the layout of a conv weight
     * [O, keep, k, k] or a Linear weight [O, keep*H*W]), with their relative error on the samples.
     */
    record Fit(double[] weights, double relativeError) {
    }

    /** {@link #refit(Restricted)} for the given kept channels. */
    static Fit refit(Problem p, int[] kept) {
        return refit(restrict(p, kept));
    }

    /** Least squares on the kept channels: (H_KK + r I) S = X_K^T Y, weights S^T. */
    static Fit refit(Restricted r) {
        int dk = r.hkk().numRows;
        DMatrixRMaj a = r.hkk().copy();
        double trace = CommonOps_DDRM.trace(a);
        double ridge = trace > 0 ? RELATIVE_RIDGE * trace / dk : 1e-12;
        for (int i = 0; i < dk; i++) {
            a.data[i * dk + i] += ridge;
        }
        DMatrixRMaj solution = new DMatrixRMaj(dk, r.xty().numCols);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_MT_DDRM.symmPosDef(dk);
        if (!solver.setA(a.copy())) {
            // Not positive definite in floating point (should not happen with the ridge): minimum-norm solution.
            solver = LinearSolverFactory_DDRM.pseudoInverse(true);
            if (!solver.setA(a.copy())) {
                throw new IllegalStateException("least squares for the kept channels could not be solved");
            }
        }
        solver.solve(r.xty(), solution);
        // Error without another product: H_KK S = X_K^T Y - r S, so
        // ||Y - X_K S||^2 = ||Y||^2 - 2 <S, X_K^T Y> + <S, H_KK S> = ||Y||^2 - <S, X_K^T Y> - r ||S||^2.
        double fitted = 0;
        double norm = 0;
        for (int i = 0; i < solution.data.length; i++) {
            fitted += solution.data[i] * r.xty().data[i];
            norm += solution.data[i] * solution.data[i];
        }
        double energy = r.outputEnergy();
        double error = energy <= 0 ? 0 : Math.sqrt(Math.max(0, energy - fitted - ridge * norm) / energy);
        return new Fit(CommonOps_MT_DDRM.transpose(solution, null).data, error);
    }

    /**
     * ||Y - sum_{c in K} Z_c|| / ||Y||: the error of keeping the consumer's original weights, = the energy of the
     * dropped channels' joint contribution, sum of G over dropped x dropped.
     */
    static double droppedError(Problem p, int[] kept) {
        boolean[] keptSet = new boolean[p.channels];
        for (int c : kept) {
            keptSet[c] = true;
        }
        double dropped = 0;
        for (int c = 0; c < p.channels; c++) {
            for (int d = 0; d < p.channels; d++) {
                if (!keptSet[c] && !keptSet[d]) {
                    dropped += p.gram[c][d];
                }
            }
        }
        double energy = p.outputEnergy();
        return energy <= 0 ? 0 : Math.sqrt(Math.max(0, dropped) / energy);
    }

    /** {@link #relativeError(Restricted, double[])} for the given kept channels. */
    static double relativeError(Problem p, int[] kept, double[] v) {
        return relativeError(restrict(p, kept), v);
    }

    /**
     * ||Y - X_K V^T|| / ||Y|| on the samples, for consumer weights {@code v} (O x keep*P) on the kept channels:
     * ||Y||^2 - 2 sum(V o (X_K^T Y)^T) + sum(V o V H_KK).
     */
    static double relativeError(Restricted r, double[] v) {
        int dk = r.hkk().numRows;
        int outputs = r.xty().numCols;
        if (r.outputEnergy() <= 0) {
            return 0;
        }
        DMatrixRMaj vm = DMatrixRMaj.wrap(outputs, dk, v);
        DMatrixRMaj vh = new DMatrixRMaj(outputs, dk);
        CommonOps_MT_DDRM.mult(vm, r.hkk(), vh);
        double cross = 0;
        double quadratic = 0;
        for (int o = 0; o < outputs; o++) {
            for (int i = 0; i < dk; i++) {
                double vi = v[o * dk + i];
                cross += vi * r.xty().data[i * outputs + o];
                quadratic += vi * vh.data[o * dk + i];
            }
        }
        return Math.sqrt(Math.max(0, r.outputEnergy() - 2 * cross + quadratic) / r.outputEnergy());
    }

    /** The consumer's original weights restricted to the kept channels, O x keep*P. */
    static double[] originalWeights(Problem p, int[] kept) {
        int[] features = ChannelSlicer.featureBlocks(kept, p.perChannel);
        int all = p.channels * p.perChannel;
        double[] v = new double[p.outputs * features.length];
        for (int o = 0; o < p.outputs; o++) {
            for (int i = 0; i < features.length; i++) {
                v[o * features.length + i] = p.w.data[o * all + features[i]];
            }
        }
        return v;
    }
}
