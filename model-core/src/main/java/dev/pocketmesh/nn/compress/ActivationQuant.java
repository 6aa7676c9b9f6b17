package dev.pocketmesh.nn.compress;

/**
 * How the input of one conv or linear layer is quantized at run time: asymmetric {@code bits}-bit codes
 * {@code clamp(round(x / scale) + zeroPoint, 0, 2^bits - 1)}, computed with as {@code (code - zeroPoint) * scale}.
 * The range was calibrated on sample images (and kept fixed through quantization-aware training).
 */
public record ActivationQuant(int bits, float scale, int zeroPoint) {
    public ActivationQuant {
        if (bits < QuantScheme.MIN_BITS || bits > QuantScheme.MAX_BITS) {
            throw new IllegalArgumentException("activation bits must be in [2, 8], got " + bits);
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("activation scale must be positive, got " + scale);
        }
    }

    public static ActivationQuant of(Calibration.Range range, int bits) {
        QuantParams p = QuantParams.fromRanges(new float[] {range.lo()}, new float[] {range.hi()},
                QuantScheme.activations(bits));
        return new ActivationQuant(bits, p.scale()[0], p.zeroPoint()[0]);
    }

    public int qmax() {
        return (1 << bits) - 1;
    }

    /** The value an input {@code x} takes in the quantized model. */
    public float apply(float x) {
        int q = Math.max(0, Math.min(qmax(), Math.round(x / scale) + zeroPoint));
        return (q - zeroPoint) * scale;
    }
}
