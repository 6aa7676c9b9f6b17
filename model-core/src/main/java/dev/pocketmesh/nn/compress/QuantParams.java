package dev.pocketmesh.nn.compress;

import java.util.Arrays;

/**
 * Scale and zero point per channel (one entry for a per-tensor scheme): a code q stands for
 * {@code (q - zeroPoint) * scale}.
 */
public record QuantParams(float[] scale, int[] zeroPoint) {
    public QuantParams {
        if (scale.length == 0 || scale.length != zeroPoint.length) {
            throw new IllegalArgumentException("one scale and one zero point per channel, got " + scale.length
                    + " and " + zeroPoint.length);
        }
        for (float s : scale) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("scales must be positive and finite, got " + s);
            }
        }
        scale = scale.clone();
        zeroPoint = zeroPoint.clone();
    }

    /**
     * The parameters that map each channel's range [lo, hi] onto the scheme's codes. A range is widened to contain
     * 0 (so that zero, e.g. a pruned weight or a ReLU output, is exact), and a degenerate one gets a tiny scale.
     */
    public static QuantParams fromRanges(float[] lo, float[] hi, QuantScheme scheme) {
        float[] scale = new float[lo.length];
        int[] zero = new int[lo.length];
        for (int c = 0; c < lo.length; c++) {
            float low = Math.min(lo[c], 0f);
            float high = Math.max(hi[c], 0f);
            if (scheme.symmetric()) {
                float max = Math.max(-low, high);
                scale[c] = max > 0 ? max / scheme.qmax() : 1e-8f;
            } else {
                scale[c] = high > low ? (high - low) / (scheme.qmax() - scheme.qmin()) : 1e-8f;
                zero[c] = Math.max(scheme.qmin(), Math.min(scheme.qmax(), Math.round(scheme.qmin() - low / scale[c])));
            }
        }
        return new QuantParams(scale, zero);
    }

    public int channels() {
        return scale.length;
    }

    @Override
    public float[] scale() {
        return scale.clone();
    }

    @Override
    public int[] zeroPoint() {
        return zeroPoint.clone();
    }

    float scaleOf(int channel) {
        return scale[channel];
    }

    int zeroOf(int channel) {
        return zeroPoint[channel];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantParams p && Arrays.equals(scale, p.scale) && Arrays.equals(zeroPoint, p.zeroPoint);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(scale) + Arrays.hashCode(zeroPoint);
    }
}
