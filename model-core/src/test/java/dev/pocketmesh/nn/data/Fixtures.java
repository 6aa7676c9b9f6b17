package dev.pocketmesh.nn.data;

import dev.pocketmesh.dataset.CifarFormat;
import dev.pocketmesh.dataset.IdxFormat;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Tiny dataset files. Example i of a file has label {@code i mod classes} and its first pixel byte is
 * {@code i + idOffset} (below 256), so tests can tell which file example ended up in which split.
 */
final class Fixtures {
    private Fixtures() {
    }

    static int[] labels(int count, int classes) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
        }
        return labels;
    }

    static byte[] pixels(int count, int perImage, int idOffset) {
        byte[] pixels = new byte[count * perImage];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < perImage; p++) {
                pixels[i * perImage + p] = (byte) (p == 0 ? i + idOffset : (i * 13 + p * 7) % 256);
            }
        }
        return pixels;
    }

    /** Train ids are 0..train-1, test ids 200..; so at most 200 train and 56 test examples. */
    static Path idx(Path dir, int train, int test, int side, int classes, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        String ext = gzip ? ".gz" : "";
        IdxFormat.writeImages(dir.resolve(IdxFormat.TRAIN_IMAGES + ext), side, side, pixels(train, side * side, 0));
        IdxFormat.writeLabels(dir.resolve(IdxFormat.TRAIN_LABELS + ext), labels(train, classes));
        IdxFormat.writeImages(dir.resolve(IdxFormat.TEST_IMAGES + ext), side, side, pixels(test, side * side, 200));
        IdxFormat.writeLabels(dir.resolve(IdxFormat.TEST_LABELS + ext), labels(test, classes));
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
        String name = file.getFileName().toString();
        ImageIO.write(image, name.substring(name.lastIndexOf('.') + 1), file.toFile());
    }

    /** The id of each image (its first pixel byte), undoing the normalisation of channel 0. */
    static int[] ids(ImageSet set, Normalization normalization) {
        int[] ids = new int[set.size()];
        for (int i = 0; i < set.size(); i++) {
            float scaled = set.pixels()[set.offset(i)] * normalization.std()[0] + normalization.mean()[0];
            ids[i] = Math.round(scaled * 255);
        }
        return ids;
    }

    /** A CIFAR-10 batch file whose record r has red = r, green = 100 + r, blue = 200 (every pixel). */
    static void cifarBatch(Path file, int records, int classes) throws IOException {
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
}
