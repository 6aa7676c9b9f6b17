package dev.pocketmesh.nn.data;

import dev.pocketmesh.dataset.DatasetException;
import dev.pocketmesh.dataset.DatasetProbe;
import dev.pocketmesh.dataset.IdxFormat;
import dev.pocketmesh.model.Shape;
import java.nio.file.Path;

/** Reads an IDX images file and its labels file (MNIST, Fashion-MNIST; gzipped or plain) as 1-channel images. */
public final class IdxReader {
    private IdxReader() {
    }

    /**
     * @throws DatasetException on {@code dataset.path} for a bad magic number, a truncated file, or label and image
     *                          counts that differ
     */
    public static RawImages read(Path imagesFile, Path labelsFile) {
        IdxFormat.Images images = IdxFormat.readImages(imagesFile);
        int[] labels = DatasetProbe.labelsMatching(labelsFile, imagesFile, images.header().count());
        Shape shape = Shape.chw(1, images.header().rows(), images.header().columns());
        return new RawImages(shape, images.pixels(), labels, labelsFile.toString());
    }

    /** The train or test pair ({@code train} / {@code t10k} files) of an IDX directory. */
    public static RawImages readSplit(Path directory, boolean train) {
        return read(IdxFormat.locate(directory, train ? IdxFormat.TRAIN_IMAGES : IdxFormat.TEST_IMAGES),
                IdxFormat.locate(directory, train ? IdxFormat.TRAIN_LABELS : IdxFormat.TEST_LABELS));
    }
}
