package dev.pocketmesh.nn.compress;

/**
 * How a tensor is mapped to integers: {@code bits} (2-8), symmetric (signed codes around zero, zero point 0, the
 * restricted range ±(2^(bits-1) - 1) so that +x and -x quantize alike) or asymmetric (unsigned codes 0..2^bits - 1
 * with a zero point), and one scale per output channel ({@code perChannel}, axis 0) or one for the whole tensor.
 */
public record QuantScheme(int bits, boolean symmetric, boolean perChannel) {
    public static final int MIN_BITS = 2;
    public static final int MAX_BITS = 8;

    public QuantScheme {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("bits must be in [" + MIN_BITS + ", " + MAX_BITS + "], got " + bits);
        }
    }

    /** The smallest code. */
    public int qmin() {
        return symmetric ? -((1 << (bits - 1)) - 1) : 0;
    }

    /** The largest code. */
    public int qmax() {
        return symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** 8-bit asymmetric per-tensor: how activations are quantized. */
    public static QuantScheme activations(int bits) {
        return new QuantScheme(bits, false, false);
    }
}
