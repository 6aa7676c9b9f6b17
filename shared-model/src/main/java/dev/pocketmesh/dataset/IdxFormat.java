package dev.pocketmesh.dataset;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The IDX file format of MNIST and Fashion-MNIST, gzipped or plain: a big-endian header (magic {@code 0x0000 08 nd}
 * for unsigned bytes in {@code nd} dimensions, then one 32-bit size per dimension) followed by the bytes. Image
 * files are 3-dimensional (count, rows, columns), label files 1-dimensional. The one place that reads the format:
 * the probe reads headers and labels here, model-core's loader the pixels.
 */
public final class IdxFormat {
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** Unsigned-byte data in 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned-byte data in 1 dimension. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;

    private IdxFormat() {
    }

    /** The header of an images file. */
    public record ImagesHeader(int count, int rows, int columns) {
        public int pixelsPerImage() {
            return rows * columns;
        }
    }

    /** A whole images file: its header and {@code count * rows * columns} unsigned pixel bytes, row-major. */
    public record Images(ImagesHeader header, byte[] pixels) {
    }

    /**
     * The file {@code baseName} or {@code baseName.gz} in {@code directory} (the plain one when both exist).
     *
     * @throws DatasetException on {@code dataset.path} when neither exists
     */
    public static Path locate(Path directory, String baseName) {
        Path plain = directory.resolve(baseName);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = directory.resolve(baseName + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw DatasetException.path("no " + baseName + "(.gz) in " + directory);
    }

    public static ImagesHeader readImagesHeader(Path file) {
        try (DataInputStream in = open(file)) {
            return imagesHeader(in, file);
        } catch (EOFException e) {
            throw truncated(file);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Every label of a labels file, each in 0..255. */
    public static int[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int count = count(in, file, LABELS_MAGIC, "a labels file (idx1-ubyte)");
            byte[] bytes = new byte[count];
            in.readFully(bytes);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = Byte.toUnsignedInt(bytes[i]);
            }
            return labels;
        } catch (EOFException e) {
            throw truncated(file);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** A whole images file; Fashion-MNIST's training file is 47 MB of pixels. */
    public static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            ImagesHeader header = imagesHeader(in, file);
            long bytes = (long) header.count() * header.pixelsPerImage();
            if (bytes > Integer.MAX_VALUE - 8) {
                throw DatasetException.path(file + " holds " + bytes + " pixel bytes, more than one array can take");
            }
            byte[] pixels = new byte[(int) bytes];
            in.readFully(pixels);
            return new Images(header, pixels);
        } catch (EOFException e) {
            throw truncated(file);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /**
     * Writes an images file (gzipped when {@code file} ends in {@code .gz}): for exports, benchmarks and test
     * fixtures; the reader above accepts what this writes.
     */
    public static void writeImages(Path file, int rows, int columns, byte[] pixels) throws IOException {
        if (pixels.length % (rows * columns) != 0) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes are not whole " + rows + "x" + columns
                    + " images");
        }
        try (DataOutputStream out = create(file)) {
            out.writeInt(IMAGES_MAGIC);
            out.writeInt(pixels.length / (rows * columns));
            out.writeInt(rows);
            out.writeInt(columns);
            out.write(pixels);
        }
    }

    /** Writes a labels file (gzipped when {@code file} ends in {@code .gz}); each label must be in 0..255. */
    public static void writeLabels(Path file, int[] labels) throws IOException {
        try (DataOutputStream out = create(file)) {
            out.writeInt(LABELS_MAGIC);
            out.writeInt(labels.length);
            for (int label : labels) {
                if (label < 0 || label > 255) {
                    throw new IllegalArgumentException("an IDX label is one byte, got " + label);
                }
                out.writeByte(label);
            }
        }
    }

    private static DataOutputStream create(Path file) throws IOException {
        OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        return new DataOutputStream(file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw);
    }

    /** Opens a file for reading, gunzipping it when it starts with the gzip magic (whatever its name). */
    public static DataInputStream open(Path file) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gzipped = raw.read() == GZIP_MAGIC_1 && raw.read() == GZIP_MAGIC_2;
        raw.reset();
        InputStream in = gzipped ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
        return new DataInputStream(in);
    }

    private static ImagesHeader imagesHeader(DataInputStream in, Path file) throws IOException {
        int count = count(in, file, IMAGES_MAGIC, "an images file (idx3-ubyte)");
        int rows = in.readInt();
        int columns = in.readInt();
        if (rows < 1 || columns < 1 || (long) rows * columns > 1 << 24) {
            throw DatasetException.path(file + " has an image size of " + rows + "x" + columns
                    + " in its header; expected positive sizes");
        }
        return new ImagesHeader(count, rows, columns);
    }

    private static int count(DataInputStream in, Path file, int magic, String what) throws IOException {
        int found = in.readInt();
        if (found != magic) {
            throw DatasetException.path(file + " is not " + what + ": magic number 0x"
                    + String.format("%08x", found) + ", expected 0x" + String.format("%08x", magic));
        }
        int count = in.readInt();
        if (count < 0) {
            throw DatasetException.path(file + " has a negative item count (" + count + ") in its header");
        }
        return count;
    }

    private static DatasetException truncated(Path file) {
        return DatasetException.path(file + " is truncated: it ends before the data its header announces");
    }

    private static DatasetException unreadable(Path file, IOException e) {
        return DatasetException.path("cannot read " + file + ": " + e.getMessage());
    }
}
