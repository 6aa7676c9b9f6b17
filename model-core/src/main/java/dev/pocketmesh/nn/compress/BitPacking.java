package dev.pocketmesh.nn.compress;

/**
 * Unsigned codes of 1-8 bits packed densely into bytes, least significant bit first, with no padding between
 * codes: n codes of b bits take ceil(n * b / 8) bytes.
 */
public final class BitPacking {
    private BitPacking() {
    }

    public static int packedLength(int count, int bits) {
        return (int) (((long) count * bits + 7) / 8);
    }

    public static byte[] pack(int[] codes, int bits) {
        check(bits);
        byte[] out = new byte[packedLength(codes.length, bits)];
        long bit = 0;
        int max = (1 << bits) - 1;
        for (int code : codes) {
            if (code < 0 || code > max) {
                throw new IllegalArgumentException("code " + code + " does not fit in " + bits + " bits");
            }
            for (int b = 0; b < bits; b++, bit++) {
                if ((code >>> b & 1) != 0) {
                    out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
                }
            }
        }
        return out;
    }

    public static int[] unpack(byte[] packed, int bits, int count) {
        check(bits);
        if (packed.length < packedLength(count, bits)) {
            throw new IllegalArgumentException(count + " codes of " + bits + " bits need "
                    + packedLength(count, bits) + " bytes, got " + packed.length);
        }
        int[] codes = new int[count];
        long bit = 0;
        for (int i = 0; i < count; i++) {
            int code = 0;
            for (int b = 0; b < bits; b++, bit++) {
                code |= (packed[(int) (bit >>> 3)] >>> (bit & 7) & 1) << b;
            }
            codes[i] = code;
        }
        return codes;
    }

    private static void check(int bits) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits must be in [1, 8], got " + bits);
        }
    }
}
