package dev.pocketmesh.nn.data;

import dev.pocketmesh.dataset.DatasetException;
import dev.pocketmesh.dataset.ImageFolderLayout;
import dev.pocketmesh.model.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Decodes image files (PNG, JPEG, through javax.imageio) into RGB images of {@code side x side}. Every image is
 * converted to RGB (grey images repeat their value, alpha is dropped) and resized on each axis by area averaging
 * when shrinking and bilinear interpolation when enlarging, so downscaled photos do not alias.
 */
public final class ImageFolderReader {
    private static final int CHANNELS = 3;

    private ImageFolderReader() {
    }

    /** The listed files, in order, with their labels. */
    public static RawImages read(List<ImageFolderLayout.Entry> entries, int side, String source) {
        int per = CHANNELS * side * side;
        byte[] pixels = new byte[Math.multiplyExact(entries.size(), per)];
        int[] labels = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            ImageFolderLayout.Entry entry = entries.get(i);
            float[] rgb = decode(entry.file(), side);
            for (int p = 0; p < per; p++) {
                pixels[i * per + p] = (byte) Math.round(Math.max(0f, Math.min(255f, rgb[p])));
            }
            labels[i] = entry.label();
        }
        return new RawImages(Shape.chw(CHANNELS, side, side), pixels, labels, source);
    }

    /** One image file as 3 x side x side floats in 0..255. */
    static float[] decode(Path file, int side) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw DatasetException.path("cannot decode image " + file + ": " + e.getMessage());
        }
        if (image == null) {
            throw DatasetException.path("cannot decode image " + file + ": not a PNG or JPEG image");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        float[] out = new float[CHANNELS * side * side];
        float[] plane = new float[width * height];
        for (int c = 0; c < CHANNELS; c++) {
            int shift = 16 - 8 * c; // red, green, blue bytes of an ARGB int
            for (int p = 0; p < plane.length; p++) {
                plane[p] = (argb[p] >> shift) & 0xff;
            }
            float[] resized = resize(plane, width, height, side, side);
            System.arraycopy(resized, 0, out, c * side * side, side * side);
        }
        return out;
    }

    /** Resizes one row-major plane, first along rows then along columns. */
    static float[] resize(float[] plane, int width, int height, int outWidth, int outHeight) {
        float[] rows = new float[outWidth * height];
        float[] line = new float[Math.max(width, height)];
        float[] resizedLine;
        for (int y = 0; y < height; y++) {
            System.arraycopy(plane, y * width, line, 0, width);
            resizedLine = resample(line, width, outWidth);
            System.arraycopy(resizedLine, 0, rows, y * outWidth, outWidth);
        }
        float[] out = new float[outWidth * outHeight];
        for (int x = 0; x < outWidth; x++) {
            for (int y = 0; y < height; y++) {
                line[y] = rows[y * outWidth + x];
            }
            resizedLine = resample(line, height, outHeight);
            for (int y = 0; y < outHeight; y++) {
                out[y * outWidth + x] = resizedLine[y];
            }
        }
        return out;
    }

    /** Resamples the first {@code n} values of {@code in} to {@code m} values. */
    static float[] resample(float[] in, int n, int m) {
        float[] out = new float[m];
        if (n == m) {
            System.arraycopy(in, 0, out, 0, n);
        } else if (n > m) {
            // Shrinking: output j averages the input interval [j * n/m, (j + 1) * n/m), partial pixels weighted.
            double scale = (double) n / m;
            for (int j = 0; j < m; j++) {
                double from = j * scale;
                double to = from + scale;
                double sum = 0;
                for (int i = (int) Math.floor(from); i < Math.min(n, (int) Math.ceil(to)); i++) {
                    double overlap = Math.min(to, i + 1) - Math.max(from, i);
                    sum += overlap * in[i];
                }
                out[j] = (float) (sum / scale);
            }
        } else {
            // Enlarging: bilinear on pixel centres, edges clamped.
            double scale = (double) n / m;
            for (int j = 0; j < m; j++) {
                double x = Math.max(0, Math.min(n - 1, (j + 0.5) * scale - 0.5));
                int left = (int) Math.floor(x);
                int right = Math.min(n - 1, left + 1);
                double t = x - left;
                out[j] = (float) ((1 - t) * in[left] + t * in[right]);
            }
        }
        return out;
    }
}
