package dev.pocketmesh.nn.data;

import dev.pocketmesh.dataset.CifarFormat;
import dev.pocketmesh.dataset.DatasetException;
import dev.pocketmesh.dataset.DatasetProbe;
import dev.pocketmesh.dataset.DatasetShape;
import dev.pocketmesh.dataset.ImageFolderLayout;
import dev.pocketmesh.dataset.SplitRules;
import dev.pocketmesh.spec.JobSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Loads a job's dataset into train / validation / test splits, fixed by the seed: the same (dataset, seed) gives
 * the same examples in the same order in every process. Split sizes follow {@link SplitRules}; the shape, class
 * count and label checks are {@link DatasetProbe}'s, so they match what the orchestrator accepted at intake.
 * Pixels are scaled to [0, 1], then standardised per channel with the training split's statistics.
 * <p>
 * Every split is in a seeded random order, so {@code head(n)} of a split is a random sample of it.
 * The last loaded (dataset, seed) is cached process-wide: a worker runs many trials on one dataset, and decoding
 * Fashion-MNIST takes about a second. The cached sets are shared; callers must not modify them.
 */
public final class DatasetLoader {
    /** The seed synthetic images are generated from: fixed, so the job seed changes the splits, not the data. */
    static final long SYNTHETIC_DATA_SEED = 20_240_601L;

    private record Key(JobSpec.Dataset dataset, long seed) {
    }

    private static Key cachedKey;
    private static DataSplits cached;

    private DatasetLoader() {
    }

    /**
     * @throws DatasetException naming the job-spec field and the reason (missing or malformed files, labels outside
     *                          the classes)
     */
    public static synchronized DataSplits load(JobSpec.Dataset ds, long seed) {
        Key key = new Key(ds, seed);
        if (key.equals(cachedKey)) {
            return cached;
        }
        DataSplits splits = loadUncached(ds, seed);
        cachedKey = key;
        cached = splits;
        return splits;
    }

    /** Drops the cached splits (their memory is freed once no caller holds them). */
    public static synchronized void clearCache() {
        cachedKey = null;
        cached = null;
    }

    /** Loads without looking at or filling the cache. */
    public static DataSplits loadUncached(JobSpec.Dataset ds, long seed) {
        DatasetShape shape = DatasetProbe.probe(ds);
        int classes = shape.numClasses();
        boolean classesFromSpec = ds.classes() != null;
        Chosen chosen = switch (ds.format()) {
            case "idx" -> {
                Path dir = DatasetProbe.directory(ds);
                yield heldOut(IdxReader.readSplit(dir, true), IdxReader.readSplit(dir, false), ds.limit(), seed);
            }
            case "cifar10" -> {
                Path folder = CifarFormat.batchFolder(DatasetProbe.directory(ds));
                yield heldOut(CifarReader.read(CifarFormat.trainFiles(folder)),
                        CifarReader.read(List.of(CifarFormat.testFile(folder))), ds.limit(), seed);
            }
            case "image-folder" -> imageFolder(DatasetProbe.directory(ds), DatasetProbe.imageSide(ds), ds.limit(),
                    seed);
            case "synthetic" -> synthetic(ds, classes, seed);
            default -> throw new DatasetException("dataset.format", "unknown format '" + ds.format() + "'");
        };
        for (RawImages raw : chosen.sources()) {
            DatasetProbe.checkLabels(raw.labels(), Path.of(raw.source()), classes, classesFromSpec);
        }
        ImageSet train = chosen.trainPool().toImageSet(chosen.train(), classes);
        ImageSet validation = chosen.trainPool().toImageSet(chosen.validation(), classes);
        ImageSet test = chosen.testPool().toImageSet(chosen.test(), classes);
        Normalization normalization = Normalization.fit(train);
        normalization.applyInPlace(train);
        normalization.applyInPlace(validation);
        normalization.applyInPlace(test);
        return new DataSplits(train, validation, test, normalization);
    }

    /** Which examples of which decoded pool each split takes, before widening to floats. */
    private record Chosen(RawImages trainPool, int[] train, int[] validation, RawImages testPool, int[] test) {
        List<RawImages> sources() {
            return trainPool == testPool ? List.of(trainPool) : List.of(trainPool, testPool);
        }
    }

    /** idx and cifar10: validation held out of the train files, test = the test files. */
    private static Chosen heldOut(RawImages trainFile, RawImages testFile, Integer limit, long seed) {
        int[] order = permutation(trainFile.size(), seed, 1);
        int validation = SplitRules.heldOutValidation(trainFile.size());
        return new Chosen(trainFile,
                cap(Arrays.copyOfRange(order, validation, order.length), SplitRules.trainCap(limit)),
                cap(Arrays.copyOf(order, validation), SplitRules.evaluationCap(limit)),
                testFile, cap(permutation(testFile.size(), seed, 2), SplitRules.evaluationCap(limit)));
    }

    private static Chosen imageFolder(Path root, int side, Integer limit, long seed) {
        List<String> classes = ImageFolderLayout.classes(root);
        RawImages pool = ImageFolderReader.read(ImageFolderLayout.trainImages(root, classes), side,
                root.resolve(ImageFolderLayout.TRAIN).toString());
        Optional<List<ImageFolderLayout.Entry>> testEntries = ImageFolderLayout.testImages(root, classes);
        int[] order = permutation(pool.size(), seed, 1);
        int validation = SplitRules.tenPercent(pool.size());
        int[] validationIdx = cap(Arrays.copyOf(order, validation), SplitRules.evaluationCap(limit));
        if (testEntries.isPresent()) {
            RawImages testPool = ImageFolderReader.read(testEntries.get(), side,
                    root.resolve(ImageFolderLayout.TEST).toString());
            return new Chosen(pool, cap(Arrays.copyOfRange(order, validation, order.length),
                    SplitRules.trainCap(limit)), validationIdx, testPool,
                    cap(permutation(testPool.size(), seed, 2), SplitRules.evaluationCap(limit)));
        }
        int test = SplitRules.tenPercent(pool.size());
        return new Chosen(pool, cap(Arrays.copyOfRange(order, validation + test, order.length),
                SplitRules.trainCap(limit)), validationIdx, pool,
                cap(Arrays.copyOfRange(order, validation, validation + test), SplitRules.evaluationCap(limit)));
    }

    private static Chosen synthetic(JobSpec.Dataset ds, int classes, long seed) {
        int train = SplitRules.syntheticTrain(ds.limit());
        int evaluation = SplitRules.syntheticEvaluation(ds.limit());
        RawImages pool = SyntheticImages.generate(train + 2 * evaluation, classes, DatasetProbe.imageSide(ds),
                SYNTHETIC_DATA_SEED);
        int[] order = permutation(pool.size(), seed, 1);
        return new Chosen(pool, Arrays.copyOfRange(order, 2 * evaluation, order.length),
                Arrays.copyOf(order, evaluation), pool, Arrays.copyOfRange(order, evaluation, 2 * evaluation));
    }

    /** The first {@code max} of an already shuffled index list. */
    private static int[] cap(int[] shuffled, int max) {
        return shuffled.length <= max ? shuffled : Arrays.copyOf(shuffled, max);
    }

    /** A seeded permutation of 0..n-1; {@code stream} separates the permutations of one seed. */
    static int[] permutation(int n, long seed, int stream) {
        return Permutations.shuffled(n, SyntheticImages.mix(seed, stream));
    }
}
