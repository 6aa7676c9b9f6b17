package dev.pocketmesh.dataset;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Tiny dataset files for tests: labels are {@code i mod classes}, pixels a function of (example, position). */
final class DatasetFixtures {
    private DatasetFixtures() {
    }

    static int[] labels(int count, int classes) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
        }
        return labels;
    }

    static byte[] pixels(int count, int perImage) {
        byte[] pixels = new byte[count * perImage];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 + i / perImage * 7);
        }
        return pixels;
    }

    /** An MNIST-style directory; {@code .gz} files when {@code gzip}. */
    static Path idx(Path dir, int train, int test, int side, int classes, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        String ext = gzip ? ".gz" : "";
        IdxFormat.writeImages(dir.resolve(IdxFormat.TRAIN_IMAGES + ext), side, side, pixels(train, side * side));
        IdxFormat.writeLabels(dir.resolve(IdxFormat.TRAIN_LABELS + ext), labels(train, classes));
        IdxFormat.writeImages(dir.resolve(IdxFormat.TEST_IMAGES + ext), side, side, pixels(test, side * side));
        IdxFormat.writeLabels(dir.resolve(IdxFormat.TEST_LABELS + ext), labels(test, classes));
        return dir;
    }

    /** A CIFAR-10 batch folder with {@code perBatch} records in each training batch. */
    static Path cifar(Path dir, int perBatch, int test) throws IOException {
        Files.createDirectories(dir);
        for (String name : CifarFormat.TRAIN_FILES) {
            CifarFormat.writeBatch(dir.resolve(name), labels(perBatch, 10), pixels(perBatch, CifarFormat.PIXELS));
        }
        CifarFormat.writeBatch(dir.resolve(CifarFormat.TEST_FILE), labels(test, 10), pixels(test, CifarFormat.PIXELS));
        return dir;
    }

    static void png(Path file, int width, int height, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }
}
