package dev.pocketmesh.dataset;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Tiny dataset files for tests, shared with model-core's tests through this module's test jar. Example i of a file
 * has label {@code i mod classes} and its first pixel byte is {@code i + idOffset} (below 256), so tests can tell
 * which file an example ended up in and in which split.
 */
public final class DatasetFixtures {
    private DatasetFixtures() {
    }

    public static int[] labels(int count, int classes) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
        }
        return labels;
    }

    public static byte[] pixels(int count, int perImage, int idOffset) {
        byte[] pixels = new byte[count * perImage];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < perImage; p++) {
                pixels[i * perImage + p] = (byte) (p == 0 ? i + idOffset : (i * 13 + p * 7) % 256);
            }
        }
        return pixels;
    }

    /**
     * An MNIST-style directory ({@code .gz} files when {@code gzip}). Train ids are 0..train-1, test ids 200..;
     * so at most 200 train and 56 test examples keep their ids distinct.
     */
    public static Path idx(Path dir, int train, int test, int side, int classes, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        String ext = gzip ? ".gz" : "";
        IdxFormat.writeImages(dir.resolve(IdxFormat.TRAIN_IMAGES + ext), side, side, pixels(train, side * side, 0));
        IdxFormat.writeLabels(dir.resolve(IdxFormat.TRAIN_LABELS + ext), labels(train, classes));
        IdxFormat.writeImages(dir.resolve(IdxFormat.TEST_IMAGES + ext), side, side, pixels(test, side * side, 200));
        IdxFormat.writeLabels(dir.resolve(IdxFormat.TEST_LABELS + ext), labels(test, classes));
        return dir;
    }

    /** A CIFAR-10 batch folder with {@code perBatch} records in each training batch. */
    public static Path cifar(Path dir, int perBatch, int test) throws IOException {
        Files.createDirectories(dir);
        for (String name : CifarFormat.TRAIN_FILES) {
            CifarFormat.writeBatch(dir.resolve(name), labels(perBatch, 10), pixels(perBatch, CifarFormat.PIXELS, 0));
        }
        CifarFormat.writeBatch(dir.resolve(CifarFormat.TEST_FILE), labels(test, 10),
                pixels(test, CifarFormat.PIXELS, 0));
        return dir;
    }

    /** A CIFAR-10 batch file whose record r has red = r, green = 100 + r, blue = 200 (every pixel). */
    public static void cifarBatch(Path file, int records, int classes) throws IOException {
        int plane = CifarFormat.SIDE * CifarFormat.SIDE;
        byte[] pixels = new byte[records * CifarFormat.PIXELS];
        for (int r = 0; r < records; r++) {
            for (int p = 0; p < plane; p++) {
                pixels[r * CifarFormat.PIXELS + p] = (byte) r;
                pixels[r * CifarFormat.PIXELS + plane + p] = (byte) (100 + r);
                pixels[r * CifarFormat.PIXELS + 2 * plane + p] = (byte) 200;
            }
        }
        Files.createDirectories(file.getParent());
        CifarFormat.writeBatch(file, labels(records, classes), pixels);
    }

    /** A one-colour image, in the format its file name's extension names. */
    public static void png(Path file, int width, int height, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        String name = file.getFileName().toString();
        ImageIO.write(image, name.substring(name.lastIndexOf('.') + 1), file.toFile());
    }
}
