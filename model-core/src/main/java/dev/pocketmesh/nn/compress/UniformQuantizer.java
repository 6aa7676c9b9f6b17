package dev.pocketmesh.nn.compress;

import dev.pocketmesh.nn.tensor.Tensor;

/**
 * Uniform (affine) quantization of host tensors: codes {@code q = clamp(round(x / scale) + zeroPoint)}, values
 * {@code (q - zeroPoint) * scale}. Per-channel parameters index axis 0 (a conv's or linear's output channel).
 * The same arithmetic runs in DJL during quantization-aware training, so a stored model decodes to exactly the
 * weights it was trained and evaluated with.
 */
public final class UniformQuantizer {
    private UniformQuantizer() {
    }

    /** Parameters from each channel's (or the tensor's) minimum and maximum. */
    public static QuantParams minMax(Tensor w, QuantScheme scheme) {
        int channels = scheme.perChannel() ? w.dim(0) : 1;
        int per = w.size() / channels;
        float[] lo = new float[channels];
        float[] hi = new float[channels];
        float[] data = w.data();
        for (int c = 0; c < channels; c++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = c * per; i < (c + 1) * per; i++) {
                min = Math.min(min, data[i]);
                max = Math.max(max, data[i]);
            }
            lo[c] = min;
            hi[c] = max;
        }
        return QuantParams.fromRanges(lo, hi, scheme);
    }

    /** Parameters from ranges a {@link Calibration} picks per channel (or for the whole tensor). */
    public static QuantParams calibrated(Tensor w, QuantScheme scheme, Calibration calibration, double percentile) {
        int channels = scheme.perChannel() ? w.dim(0) : 1;
        int per = w.size() / channels;
        float[] lo = new float[channels];
        float[] hi = new float[channels];
        for (int c = 0; c < channels; c++) {
            float[] values = java.util.Arrays.copyOfRange(w.data(), c * per, (c + 1) * per);
            Calibration.Range r = calibration.range(values, scheme, percentile);
            lo[c] = r.lo();
            hi[c] = r.hi();
        }
        return QuantParams.fromRanges(lo, hi, scheme);
    }

    /** The integer codes of {@code w}, in [qmin, qmax]. */
    public static int[] quantize(Tensor w, QuantParams params, QuantScheme scheme) {
        int per = w.size() / params.channels();
        float[] data = w.data();
        int[] codes = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            int c = i / per;
            codes[i] = code(data[i], params.scaleOf(c), params.zeroOf(c), scheme);
        }
        return codes;
    }

    public static Tensor dequantize(int[] codes, int[] shape, QuantParams params) {
        int per = codes.length / params.channels();
        float[] out = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            int c = i / per;
            out[i] = value(codes[i], params.scaleOf(c), params.zeroOf(c));
        }
        return new Tensor(shape, out);
    }

    /** {@code dequantize(quantize(w))}: the tensor as the quantized model sees it. */
    public static Tensor fakeQuantize(Tensor w, QuantParams params, QuantScheme scheme) {
        return dequantize(quantize(w, params, scheme), w.shape(), params);
    }

    static int code(float x, float scale, int zero, QuantScheme scheme) {
        int q = Math.round(x / scale) + zero;
        return Math.max(scheme.qmin(), Math.min(scheme.qmax(), q));
    }

    static float value(int code, float scale, int zero) {
        return (code - zero) * scale;
    }
}
