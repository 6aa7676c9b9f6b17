package dev.pocketmesh.dataset;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecValidator;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Learns a job's dataset shape cheaply, without decoding images: IDX headers and label files, CIFAR-10 file sizes
 * and label bytes, the image-folder listing. The orchestrator calls it at intake so a bad dataset is refused before
 * any trial runs; model-core's loader calls it too, so both see the same shape, class count and label checks.
 */
public final class DatasetProbe {
    /** Side of synthetic images when {@code dataset.imageSize} is not given. */
    public static final int SYNTHETIC_DEFAULT_SIZE = 28;
    /** Classes of the synthetic set when {@code dataset.classes} is not given. */
    public static final int SYNTHETIC_DEFAULT_CLASSES = 10;

    private DatasetProbe() {
    }

    /**
     * @throws DatasetException naming {@code dataset.path} (missing or malformed files), {@code dataset.classes}
     *                          (a label outside the classes given), {@code dataset.format} or {@code dataset.imageSize}
     */
    public static DatasetShape probe(JobSpec.Dataset ds) {
        if (ds == null || ds.format() == null) {
            throw new DatasetException("dataset.format", "is required");
        }
        checkFields(ds);
        return switch (ds.format()) {
            case "idx" -> idx(directory(ds), ds);
            case "cifar10" -> cifar10(directory(ds), ds);
            case "image-folder" -> imageFolder(directory(ds), ds);
            case "synthetic" -> synthetic(ds);
            default -> throw new DatasetException("dataset.format", "unknown format '" + ds.format()
                    + "'; one of cifar10, idx, image-folder, synthetic");
        };
    }

    /** The class count a job's labels are checked against: {@code dataset.classes} if given, else {@code fallback}. */
    public static int classCount(JobSpec.Dataset ds, int fallback) {
        return ds.classes() != null ? ds.classes() : fallback;
    }

    /** Throws when a label is outside {@code [0, classes)}, naming the file it came from. */
    public static void checkLabels(int[] labels, Path file, int classes, boolean classesFromSpec) {
        for (int label : labels) {
            if (label < 0 || label >= classes) {
                throw DatasetException.labelOutsideClasses(label, file, classes, classesFromSpec);
            }
        }
    }

    /** The side length images of this dataset are resized or generated to (image-folder, synthetic). */
    public static int imageSide(JobSpec.Dataset ds) {
        if (ds.imageSize() != null) {
            return ds.imageSize();
        }
        return "synthetic".equals(ds.format()) ? SYNTHETIC_DEFAULT_SIZE : ImageFolderLayout.DEFAULT_SIZE;
    }

    /** The directory {@code dataset.path} names, checked to exist. */
    public static Path directory(JobSpec.Dataset ds) {
        if (ds.path() == null || ds.path().isBlank()) {
            throw DatasetException.path("is required for format '" + ds.format() + "'");
        }
        Path dir;
        try {
            dir = Path.of(ds.path());
        } catch (InvalidPathException e) {
            throw DatasetException.path("is not a valid path: " + ds.path());
        }
        if (!Files.isDirectory(dir)) {
            throw DatasetException.path(Files.exists(dir) ? "is not a directory: " + dir : "does not exist: " + dir);
        }
        return dir;
    }

    private static void checkFields(JobSpec.Dataset ds) {
        List<FieldError> errors = new ArrayList<>();
        if (ds.limit() != null && ds.limit() < 1) {
            errors.add(new FieldError("dataset.limit", "must be >= 1 (got " + ds.limit() + ")"));
        }
        if (ds.classes() != null && ds.classes() < 2) {
            errors.add(new FieldError("dataset.classes", "must be >= 2 (got " + ds.classes() + ")"));
        }
        if (ds.imageSize() != null && JobSpecValidator.FIXED_SIZE_FORMATS.contains(ds.format())) {
            errors.add(new FieldError("dataset.imageSize", "cannot be set for format '" + ds.format()
                    + "': its files fix the image size"));
        } else if (ds.imageSize() != null && (ds.imageSize() < JobSpecValidator.MIN_IMAGE_SIZE
                || ds.imageSize() > JobSpecValidator.MAX_IMAGE_SIZE)) {
            errors.add(new FieldError("dataset.imageSize", "must be in [" + JobSpecValidator.MIN_IMAGE_SIZE + ", "
                    + JobSpecValidator.MAX_IMAGE_SIZE + "] (got " + ds.imageSize() + ")"));
        }
        if (!errors.isEmpty()) {
            throw new DatasetException(errors);
        }
    }

    private static DatasetShape idx(Path dir, JobSpec.Dataset ds) {
        Path trainImages = IdxFormat.locate(dir, IdxFormat.TRAIN_IMAGES);
        Path trainLabels = IdxFormat.locate(dir, IdxFormat.TRAIN_LABELS);
        Path testImages = IdxFormat.locate(dir, IdxFormat.TEST_IMAGES);
        Path testLabels = IdxFormat.locate(dir, IdxFormat.TEST_LABELS);
        IdxFormat.ImagesHeader train = IdxFormat.readImagesHeader(trainImages);
        IdxFormat.ImagesHeader test = IdxFormat.readImagesHeader(testImages);
        if (test.rows() != train.rows() || test.columns() != train.columns()) {
            throw DatasetException.path(testImages + " holds " + test.rows() + "x" + test.columns() + " images but "
                    + trainImages + " holds " + train.rows() + "x" + train.columns());
        }
        int[] trainLabelValues = labelsMatching(trainLabels, trainImages, train.count());
        int[] testLabelValues = labelsMatching(testLabels, testImages, test.count());
        if (train.count() == 0) {
            throw DatasetException.path(trainImages + " holds no images");
        }
        int classes = classCount(ds, Math.max(max(trainLabelValues), max(testLabelValues)) + 1);
        if (classes < 2) {
            throw DatasetException.path("every label in " + trainLabels + " and " + testLabels
                    + " is 0; a classifier needs at least 2 classes");
        }
        checkLabels(trainLabelValues, trainLabels, classes, ds.classes() != null);
        checkLabels(testLabelValues, testLabels, classes, ds.classes() != null);
        int trainExamples = train.count() - SplitRules.heldOutValidation(train.count());
        return new DatasetShape(1, train.rows(), train.columns(), classes,
                Math.min(trainExamples, SplitRules.trainCap(ds.limit())));
    }

    /** Reads a labels file and checks it labels exactly the images of its images file. */
    public static int[] labelsMatching(Path labelsFile, Path imagesFile, int images) {
        int[] labels = IdxFormat.readLabels(labelsFile);
        if (labels.length != images) {
            throw DatasetException.path(labelsFile + " holds " + labels.length + " labels but " + imagesFile
                    + " holds " + images + " images");
        }
        return labels;
    }

    private static DatasetShape cifar10(Path dir, JobSpec.Dataset ds) {
        Path folder = CifarFormat.batchFolder(dir);
        int classes = classCount(ds, CifarFormat.CLASSES);
        long trainRecords = 0;
        for (Path file : CifarFormat.trainFiles(folder)) {
            int[] labels = CifarFormat.readLabels(file);
            checkLabels(labels, file, classes, ds.classes() != null);
            trainRecords += labels.length;
        }
        Path test = CifarFormat.testFile(folder);
        checkLabels(CifarFormat.readLabels(test), test, classes, ds.classes() != null);
        int trainFile = Math.toIntExact(trainRecords);
        int trainExamples = trainFile - SplitRules.heldOutValidation(trainFile);
        return new DatasetShape(CifarFormat.CHANNELS, CifarFormat.SIDE, CifarFormat.SIDE, classes,
                Math.min(trainExamples, SplitRules.trainCap(ds.limit())));
    }

    private static DatasetShape imageFolder(Path dir, JobSpec.Dataset ds) {
        List<String> names = ImageFolderLayout.classes(dir);
        int classes = classCount(ds, names.size());
        if (names.size() > classes) {
            throw new DatasetException("dataset.classes", "label " + classes + " (class folder '"
                    + names.get(classes) + "') in " + dir.resolve(ImageFolderLayout.TRAIN) + " is outside the "
                    + classes + " classes of dataset.classes; its " + names.size() + " class folders need "
                    + names.size());
        }
        if (names.size() < 2 && ds.classes() == null) {
            throw DatasetException.path(dir.resolve(ImageFolderLayout.TRAIN) + " holds one class folder ("
                    + names.get(0) + "); a classifier needs at least 2 classes");
        }
        int pool = ImageFolderLayout.trainImages(dir, names).size();
        Optional<List<ImageFolderLayout.Entry>> test = ImageFolderLayout.testImages(dir, names);
        int heldOut = SplitRules.tenPercent(pool) + (test.isPresent() ? 0 : SplitRules.tenPercent(pool));
        int side = imageSide(ds);
        return new DatasetShape(3, side, side, classes, Math.min(pool - heldOut, SplitRules.trainCap(ds.limit())));
    }

    private static DatasetShape synthetic(JobSpec.Dataset ds) {
        int side = imageSide(ds);
        return new DatasetShape(1, side, side, classCount(ds, SYNTHETIC_DEFAULT_CLASSES),
                SplitRules.syntheticTrain(ds.limit()));
    }

    private static int max(int[] values) {
        int max = 0;
        for (int v : values) {
            max = Math.max(max, v);
        }
        return max;
    }
}
