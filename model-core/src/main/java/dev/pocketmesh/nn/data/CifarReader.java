package dev.pocketmesh.nn.data;

import dev.pocketmesh.dataset.CifarFormat;
import dev.pocketmesh.dataset.DatasetException;
import dev.pocketmesh.model.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CIFAR-10 binary batch files as 3 x 32 x 32 images. A record's pixel bytes are already the red, green and
 * blue planes in order, i.e. C x H x W, so they are copied as they are.
 */
public final class CifarReader {
    private CifarReader() {
    }

    /** The records of the given batch files, concatenated in order. */
    public static RawImages read(List<Path> files) {
        int total = 0;
        for (Path file : files) {
            total = Math.addExact(total, CifarFormat.records(file));
        }
        byte[] pixels = new byte[Math.multiplyExact(total, CifarFormat.PIXELS)];
        int[] labels = new int[total];
        byte[] record = new byte[CifarFormat.RECORD_BYTES];
        int n = 0;
        for (Path file : files) {
            int records = CifarFormat.records(file);
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                for (int r = 0; r < records; r++) {
                    if (in.readNBytes(record, 0, record.length) != record.length) {
                        throw DatasetException.path(file + " ended inside record " + r);
                    }
                    labels[n] = Byte.toUnsignedInt(record[0]);
                    System.arraycopy(record, 1, pixels, n * CifarFormat.PIXELS, CifarFormat.PIXELS);
                    n++;
                }
            } catch (IOException e) {
                throw DatasetException.path("cannot read " + file + ": " + e.getMessage());
            }
        }
        Shape shape = Shape.chw(CifarFormat.CHANNELS, CifarFormat.SIDE, CifarFormat.SIDE);
        return new RawImages(shape, pixels, labels, files.size() == 1 ? files.get(0).toString()
                : files.get(0).getParent().toString());
    }
}
