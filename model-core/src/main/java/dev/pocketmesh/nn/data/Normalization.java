package dev.pocketmesh.nn.data;

/**
 * Per-channel standardisation, {@code (x - mean[c]) / std[c]}, with statistics taken from the training split's
 * pixels (already scaled to [0, 1]) and applied to every split; kept with the splits so new inputs can be treated
 * the same way.
 */
public record Normalization(float[] mean, float[] std) {
    public Normalization {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need one value per channel, got " + mean.length
                    + " and " + std.length);
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException("std[" + c + "] must be > 0, got " + std[c]);
            }
        }
    }

    /** No change: mean 0 and std 1 for each channel. */
    public static Normalization identity(int channels) {
        float[] mean = new float[channels];
        float[] std = new float[channels];
        java.util.Arrays.fill(std, 1f);
        return new Normalization(mean, std);
    }

    /** Channel means and standard deviations of a set; a constant channel gets std 1 (nothing to scale). */
    public static Normalization fit(ImageSet set) {
        int channels = set.shape().channels();
        int plane = set.shape().height() * set.shape().width();
        double[] sum = new double[channels];
        double[] sumSquares = new double[channels];
        float[] pixels = set.pixels();
        for (int i = 0; i < set.size(); i++) {
            int base = set.offset(i);
            for (int c = 0; c < channels; c++) {
                int from = base + c * plane;
                double s = 0;
                double ss = 0;
                for (int p = from; p < from + plane; p++) {
                    s += pixels[p];
                    ss += (double) pixels[p] * pixels[p];
                }
                sum[c] += s;
                sumSquares[c] += ss;
            }
        }
        double count = (double) set.size() * plane;
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double m = count == 0 ? 0 : sum[c] / count;
            double variance = count == 0 ? 0 : Math.max(0, sumSquares[c] / count - m * m);
            mean[c] = (float) m;
            std[c] = variance > 1e-12 ? (float) Math.sqrt(variance) : 1f;
        }
        return new Normalization(mean, std);
    }

    public int channels() {
        return mean.length;
    }

    /** Normalises the set's pixels in place (the set must be one nobody else holds yet). */
    public void applyInPlace(ImageSet set) {
        if (set.shape().channels() != channels()) {
            throw new IllegalArgumentException("normalization has " + channels() + " channels, the set "
                    + set.shape().channels());
        }
        int plane = set.shape().height() * set.shape().width();
        float[] pixels = set.pixels();
        for (int i = 0; i < set.size(); i++) {
            int base = set.offset(i);
            for (int c = 0; c < channels(); c++) {
                float m = mean[c];
                float s = std[c];
                for (int p = base + c * plane, end = p + plane; p < end; p++) {
                    pixels[p] = (pixels[p] - m) / s;
                }
            }
        }
    }

    /** A normalised copy of one C x H x W image with pixels in [0, 1]. */
    public float[] apply(float[] image) {
        if (image.length % channels() != 0) {
            throw new IllegalArgumentException("an image of " + image.length + " values does not split into "
                    + channels() + " channels");
        }
        int plane = image.length / channels();
        float[] out = new float[image.length];
        for (int c = 0; c < channels(); c++) {
            for (int p = c * plane; p < (c + 1) * plane; p++) {
                out[p] = (image[p] - mean[c]) / std[c];
            }
        }
        return out;
    }
}
