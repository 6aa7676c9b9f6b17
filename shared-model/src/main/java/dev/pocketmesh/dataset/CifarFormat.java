package dev.pocketmesh.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR-10 binary format: files of fixed-size records, each one label byte followed by 3 x 32 x 32 pixel bytes
 * (the red plane, then green, then blue; each plane row-major). Training data is {@code data_batch_1.bin} ..
 * {@code data_batch_5.bin}, test data {@code test_batch.bin}, either directly in {@code dataset.path} or in its
 * {@code cifar-10-batches-bin} folder (as the official archive unpacks).
 */
public final class CifarFormat {
    public static final int CHANNELS = 3;
    public static final int SIDE = 32;
    public static final int CLASSES = 10;
    public static final int PIXELS = CHANNELS * SIDE * SIDE;
    public static final int RECORD_BYTES = 1 + PIXELS;
    public static final String SUBFOLDER = "cifar-10-batches-bin";
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";

    private CifarFormat() {
    }

    /** The folder holding the batch files: {@code path} itself or its {@code cifar-10-batches-bin}. */
    public static Path batchFolder(Path path) {
        if (Files.isRegularFile(path.resolve(TRAIN_FILES.get(0)))) {
            return path;
        }
        Path nested = path.resolve(SUBFOLDER);
        if (Files.isRegularFile(nested.resolve(TRAIN_FILES.get(0)))) {
            return nested;
        }
        throw DatasetException.path("no " + TRAIN_FILES.get(0) + " in " + path + " or in " + nested);
    }

    /** The training batch files in order, each checked to exist. */
    public static List<Path> trainFiles(Path batchFolder) {
        List<Path> files = new ArrayList<>();
        for (String name : TRAIN_FILES) {
            files.add(existing(batchFolder, name));
        }
        return files;
    }

    public static Path testFile(Path batchFolder) {
        return existing(batchFolder, TEST_FILE);
    }

    /** The number of records in a batch file, checking that its size is a whole number of records. */
    public static int records(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw DatasetException.path("cannot read " + file + ": " + e.getMessage());
        }
        if (size == 0 || size % RECORD_BYTES != 0) {
            throw DatasetException.path(file + " is " + size + " bytes, not a whole number of " + RECORD_BYTES
                    + "-byte CIFAR-10 records (1 label byte + 3x32x32 pixels)");
        }
        if (size / RECORD_BYTES > Integer.MAX_VALUE / RECORD_BYTES) {
            throw DatasetException.path(file + " holds too many records for one array");
        }
        return (int) (size / RECORD_BYTES);
    }

    /** The label bytes of a batch file, read record by record without loading the pixels. */
    public static int[] readLabels(Path file) {
        int count = records(file);
        int[] labels = new int[count];
        ByteBuffer one = ByteBuffer.allocate(1);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < count; i++) {
                one.clear();
                if (channel.read(one, (long) i * RECORD_BYTES) != 1) {
                    throw DatasetException.path(file + " ended while reading record " + i);
                }
                labels[i] = Byte.toUnsignedInt(one.get(0));
            }
        } catch (IOException e) {
            throw DatasetException.path("cannot read " + file + ": " + e.getMessage());
        }
        return labels;
    }

    /**
     * Writes a batch file of {@code labels.length} records from C x H x W pixel bytes (for exports, benchmarks and
     * test fixtures).
     */
    public static void writeBatch(Path file, int[] labels, byte[] pixels) throws IOException {
        if (pixels.length != labels.length * PIXELS) {
            throw new IllegalArgumentException(labels.length + " records need " + labels.length * PIXELS
                    + " pixel bytes, got " + pixels.length);
        }
        byte[] out = new byte[labels.length * RECORD_BYTES];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) {
                throw new IllegalArgumentException("a CIFAR-10 label is one byte, got " + labels[i]);
            }
            out[i * RECORD_BYTES] = (byte) labels[i];
            System.arraycopy(pixels, i * PIXELS, out, i * RECORD_BYTES + 1, PIXELS);
        }
        Files.write(file, out);
    }

    private static Path existing(Path folder, String name) {
        Path file = folder.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw DatasetException.path("no " + name + " in " + folder);
        }
        return file;
    }
}
