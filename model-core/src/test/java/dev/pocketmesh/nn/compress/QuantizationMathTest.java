package dev.pocketmesh.nn.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.nn.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantizationMathTest {

    static Tensor gaussianForTests(long seed, int... shape) {
        return gaussian(seed, 0.1, shape);
    }

    private static Tensor gaussian(long seed, double sigma, int... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = new float[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (sigma * gaussian(random));
        }
        return new Tensor(shape, d);
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Test
    void roundTripIsWithinHalfAStepForEveryScheme() {
        Tensor w = gaussian(1, 0.1, 8, 4, 3, 3);
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean symmetric : new boolean[] {true, false}) {
                for (boolean perChannel : new boolean[] {true, false}) {
                    QuantScheme scheme = new QuantScheme(bits, symmetric, perChannel);
                    QuantParams p = UniformQuantizer.minMax(w, scheme);
                    Tensor back = EncodedTensor.Quantized.of(w, scheme, p).decode();
                    int per = w.size() / p.channels();
                    for (int i = 0; i < w.size(); i++) {
                        float step = p.scale()[i / per];
                        assertThat(Math.abs(back.data()[i] - w.data()[i])).as("%s value %d", scheme, i)
                                .isLessThanOrEqualTo(step / 2 * 1.0001f);
                    }
                }
            }
        }
    }

    @Test
    void perChannelBeatsPerTensorOnALayerWhoseChannelsDifferInScale() {
        // Channel c has weights of scale 10^-c: one shared step crushes the small channels to zero.
        Tensor w = gaussian(2, 1, 4, 64);
        float[] d = w.data();
        for (int i = 0; i < d.length; i++) {
            d[i] *= (float) Math.pow(10, -(i / 64));
        }
        Tensor skewed = new Tensor(w.shape(), d);
        double perTensor = error(skewed, new QuantScheme(8, true, false));
        double perChannel = error(skewed, new QuantScheme(8, true, true));
        assertThat(perChannel).isLessThan(perTensor / 10);
    }

    private static double error(Tensor w, QuantScheme scheme) {
        Tensor q = UniformQuantizer.fakeQuantize(w, UniformQuantizer.minMax(w, scheme), scheme);
        double sum = 0;
        for (int i = 0; i < w.size(); i++) {
            // relative error per channel matters: a small channel's signal is as important as a large one's
            double scale = Math.pow(10, -(i / 64));
            sum += Math.pow((q.data()[i] - w.data()[i]) / scale, 2);
        }
        return sum;
    }

    @Test
    void packingIsLosslessForEveryWidth() {
        SplittableRandom random = new SplittableRandom(3);
        for (int bits = 1; bits <= 8; bits++) {
            for (int n : new int[] {0, 1, 7, 8, 9, 1001}) {
                int[] codes = new int[n];
                for (int i = 0; i < n; i++) {
                    codes[i] = random.nextInt(1 << bits);
                }
                byte[] packed = BitPacking.pack(codes, bits);
                assertThat(packed).hasSize((n * bits + 7) / 8);
                assertThat(BitPacking.unpack(packed, bits, n)).containsExactly(codes);
            }
        }
        assertThatThrownBy(() -> BitPacking.pack(new int[] {4}, 2)).hasMessageContaining("does not fit in 2 bits");
    }

    @Test
    void codebookErrorFallsWithBits() {
        float[] values = gaussian(4, 0.05, 5000).data();
        double previous = Double.POSITIVE_INFINITY;
        for (int bits = 1; bits <= 8; bits++) {
            KMeansCodebook.Codebook book = KMeansCodebook.fit(values, bits, 30);
            assertThat(book.centroids()).hasSize(1 << bits);
            float[] decoded = book.decode();
            double mse = 0;
            for (int i = 0; i < values.length; i++) {
                mse += Math.pow(decoded[i] - values[i], 2);
            }
            mse /= values.length;
            assertThat(mse).as("%d bits", bits).isLessThan(previous);
            previous = mse;
        }
        // At 8 bits the error is under 0.04 % of the layer's variance (0.05^2).
        assertThat(previous).isLessThan(1e-6);
    }

    @Test
    void calibrationMethodsClipOutliersAsDocumented() {
        // ReLU-like activations: |N(0, 1)| plus a handful of huge outliers.
        SplittableRandom random = new SplittableRandom(5);
        float[] v = new float[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.abs(gaussian(random));
        }
        for (int i = 0; i < 5; i++) {
            v[i * 1000] = 100f;
        }
        float[] inliers = new float[v.length - 5];
        for (int i = 0, j = 0; i < v.length; i++) {
            if (v[i] < 100f) {
                inliers[j++] = v[i];
            }
        }
        QuantScheme scheme = QuantScheme.activations(8);
        Calibration.Range minmax = Calibration.MINMAX.range(v, scheme, 99.99);
        assertThat(minmax.hi()).isEqualTo(100f);
        for (Calibration c : new Calibration[] {Calibration.PERCENTILE, Calibration.KL}) {
            Calibration.Range r = c.range(v, scheme, 99.9);
            // Clipped well below the outliers, yet covering the bulk of the distribution (99.7 % lies under 3).
            assertThat(r.hi()).as(c.id()).isLessThan(20f).isGreaterThan(2.5f);
            assertThat(r.lo()).as(c.id()).isGreaterThanOrEqualTo(0f);
            // ... and the values that are not outliers are represented far better than with the full range.
            assertThat(Calibration.squaredError(inliers, scheme, r)).as(c.id())
                    .isLessThan(Calibration.squaredError(inliers, scheme, minmax) / 10);
        }
        // MSE clips a tail only where that costs less than the coarser step a wider range brings: on a
        // heavy-tailed (exponential) distribution at 4 bits it cuts the tail and beats the full range.
        float[] tailed = new float[100_000];
        for (int i = 0; i < tailed.length; i++) {
            tailed[i] = (float) -Math.log(1 - random.nextDouble());
        }
        QuantScheme int4 = QuantScheme.activations(4);
        Calibration.Range full = Calibration.MINMAX.range(tailed, int4, 0);
        Calibration.Range mse = Calibration.MSE.range(tailed, int4, 0);
        assertThat(mse.hi()).isLessThan(full.hi() * 0.8f);
        assertThat(Calibration.squaredError(tailed, int4, mse)).isLessThan(Calibration.squaredError(tailed, int4, full));
        // On the outlier set, MSE keeps the outliers only if clipping them would cost more: never worse than minmax.
        assertThat(Calibration.squaredError(v, scheme, Calibration.MSE.range(v, scheme, 0)))
                .isLessThanOrEqualTo(Calibration.squaredError(v, scheme, minmax));
        // Percentile keeps exactly the requested share of the values inside the range.
        Calibration.Range p = Calibration.PERCENTILE.range(v, scheme, 99.0);
        long inside = 0;
        for (float x : v) {
            inside += x <= p.hi() ? 1 : 0;
        }
        assertThat(inside / (double) v.length).isCloseTo(0.99, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void bitsOutsideTwoToEightAreRefused() {
        assertThatThrownBy(() -> new QuantScheme(0, true, true)).hasMessageContaining("bits must be in [2, 8]");
        assertThatThrownBy(() -> new QuantScheme(17, true, true)).hasMessageContaining("got 17");
    }
}
