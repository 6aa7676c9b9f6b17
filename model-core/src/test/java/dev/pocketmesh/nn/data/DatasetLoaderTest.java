package dev.pocketmesh.nn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.dataset.CifarFormat;
import dev.pocketmesh.dataset.DatasetException;
import dev.pocketmesh.dataset.DatasetFixtures;
import dev.pocketmesh.dataset.IdxFormat;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.spec.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    @AfterEach
    void forgetCache() {
        DatasetLoader.clearCache();
    }

    private static JobSpec.Dataset ds(String format, Path path, Integer limit, Integer classes, Integer size) {
        return new JobSpec.Dataset(format, path == null ? null : path.toString(), limit, classes, size);
    }

    @Test
    void idxTrainFileGivesTrainAndValidationWithoutOverlap() throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path data = DatasetFixtures.idx(dir.resolve("g" + gzip), 48, 20, 5, 4, gzip);
            DataSplits splits = DatasetLoader.loadUncached(ds("idx", data, null, null, null), 1);
            assertThat(splits.train().shape()).isEqualTo(Shape.chw(1, 5, 5));
            assertThat(splits.train().numClasses()).isEqualTo(4);
            assertThat(splits.train().size()).isEqualTo(44);
            assertThat(splits.validation().size()).isEqualTo(4);
            assertThat(splits.test().size()).isEqualTo(20);
            int[] train = ids(splits.train(), splits.normalization());
            int[] validation = ids(splits.validation(), splits.normalization());
            assertThat(IntStream.concat(Arrays.stream(train), Arrays.stream(validation)).sorted().toArray())
                    .isEqualTo(IntStream.range(0, 48).toArray());
            assertThat(Arrays.stream(ids(splits.test(), splits.normalization())).sorted().toArray())
                    .isEqualTo(IntStream.range(200, 220).toArray());
            // Each label follows its example: the file labels example i with i mod 4.
            for (int i = 0; i < train.length; i++) {
                assertThat(splits.train().label(i)).isEqualTo(train[i] % 4);
            }
        }
    }

    @Test
    void theSeedFixesTheSplits() throws IOException {
        Path data = DatasetFixtures.idx(dir, 120, 30, 4, 3, true);
        JobSpec.Dataset ds = ds("idx", data, null, null, null);
        DataSplits a = DatasetLoader.loadUncached(ds, 42);
        DataSplits b = DatasetLoader.loadUncached(ds, 42);
        DataSplits other = DatasetLoader.loadUncached(ds, 43);
        assertThat(b.train().pixels()).isEqualTo(a.train().pixels());
        assertThat(b.validation().labels()).isEqualTo(a.validation().labels());
        assertThat(b.test().pixels()).isEqualTo(a.test().pixels());
        assertThat(set(ids(other.validation(), other.normalization())))
                .isNotEqualTo(set(ids(a.validation(), a.normalization())));
    }

    @Test
    void limitCapsTrainAndEvaluationSplitsWithSubsetsOfTheFullSplits() throws IOException {
        Path data = DatasetFixtures.idx(dir, 200, 56, 4, 5, false);
        DataSplits full = DatasetLoader.loadUncached(ds("idx", data, null, null, null), 9);
        DataSplits limited = DatasetLoader.loadUncached(ds("idx", data, 30, null, null), 9);
        assertThat(full.train().size()).isEqualTo(184);
        assertThat(full.validation().size()).isEqualTo(16);
        assertThat(limited.train().size()).isEqualTo(30);
        // max(100, 30 / 5) = 100 is more than the 16 and 56 there are.
        assertThat(limited.validation().size()).isEqualTo(16);
        assertThat(limited.test().size()).isEqualTo(56);
        assertThat(ids(limited.train(), limited.normalization()))
                .isEqualTo(Arrays.copyOf(ids(full.train(), full.normalization()), 30));

        // Synthetic sets are large enough to see the evaluation cap.
        DataSplits synthetic = DatasetLoader.loadUncached(ds("synthetic", null, 600, null, 8), 9);
        assertThat(synthetic.train().size()).isEqualTo(600);
        assertThat(synthetic.validation().size()).isEqualTo(100);
        assertThat(synthetic.test().size()).isEqualTo(100);
    }

    @Test
    void trainSplitIsStandardisedAndTheOthersUseItsStatistics() throws IOException {
        DatasetFixtures.cifarBatch(dir.resolve("data_batch_1.bin"), 30, 10);
        for (int b = 2; b <= 5; b++) {
            DatasetFixtures.cifarBatch(dir.resolve("data_batch_" + b + ".bin"), 6, 10);
        }
        DatasetFixtures.cifarBatch(dir.resolve("test_batch.bin"), 12, 10);
        DataSplits splits = DatasetLoader.loadUncached(ds("cifar10", dir, null, null, null), 5);
        Normalization n = splits.normalization();
        assertThat(splits.train().shape()).isEqualTo(Shape.chw(3, 32, 32));
        assertThat(splits.train().size()).isEqualTo(54 - 54 / 12);
        Normalization after = Normalization.fit(splits.train());
        assertThat(after.mean()[0]).isCloseTo(0f, offset(1e-4f));
        assertThat(after.mean()[1]).isCloseTo(0f, offset(1e-4f));
        assertThat(after.std()[0]).isCloseTo(1f, offset(1e-3f));
        // Blue is 200 everywhere: a constant channel keeps std 1 and becomes 0.
        assertThat(n.std()[2]).isEqualTo(1f);
        assertThat(n.mean()[2]).isCloseTo(200 / 255f, offset(1e-6f));
        // Record planes are C x H x W: green of an image = red + 100 (bytes), in every split.
        for (ImageSet set : new ImageSet[] {splits.train(), splits.validation(), splits.test()}) {
            float[] image = set.image(set.size() - 1);
            float red = image[0] * n.std()[0] + n.mean()[0];
            float green = image[1024 + 77] * n.std()[1] + n.mean()[1];
            assertThat(green - red).isCloseTo(100 / 255f, offset(1e-5f));
        }
    }

    @Test
    void cifarIsFoundInItsSubfolder() throws IOException {
        Path nested = dir.resolve(CifarFormat.SUBFOLDER);
        for (String name : CifarFormat.TRAIN_FILES) {
            DatasetFixtures.cifarBatch(nested.resolve(name), 3, 10);
        }
        DatasetFixtures.cifarBatch(nested.resolve(CifarFormat.TEST_FILE), 4, 10);
        DataSplits splits = DatasetLoader.loadUncached(ds("cifar10", dir, null, null, null), 0);
        assertThat(splits.train().size() + splits.validation().size()).isEqualTo(15);
        assertThat(splits.test().numClasses()).isEqualTo(10);
    }

    @Test
    void imageFolderLabelsFollowSortedClassFolders() throws IOException {
        int[] colours = {0xFF0000, 0x00FF00, 0x0000FF};
        String[] names = {"apple", "leaf", "sky"};
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 10; i++) {
                DatasetFixtures.png(dir.resolve("train").resolve(names[k]).resolve(i + ".png"), 6 + i, 4, colours[k]);
            }
        }
        DataSplits splits = DatasetLoader.loadUncached(ds("image-folder", dir, null, null, 8), 3);
        assertThat(splits.train().shape()).isEqualTo(Shape.chw(3, 8, 8));
        assertThat(new int[] {splits.train().size(), splits.validation().size(), splits.test().size()})
                .containsExactly(24, 3, 3);
        Normalization n = splits.normalization();
        for (ImageSet set : new ImageSet[] {splits.train(), splits.validation(), splits.test()}) {
            for (int i = 0; i < set.size(); i++) {
                // Label k is the colour whose channel k is full: the only channel at its maximum.
                int label = set.label(i);
                float value = set.image(i)[label * 64 + 9] * n.std()[label] + n.mean()[label];
                assertThat(value).isCloseTo(1f, offset(1e-6f));
            }
        }

        DatasetFixtures.png(dir.resolve("test/sky/0.png"), 5, 5, colours[2]);
        DatasetFixtures.png(dir.resolve("test/apple/0.jpg"), 5, 5, colours[0]);
        DataSplits withTest = DatasetLoader.loadUncached(ds("image-folder", dir, null, null, null), 3);
        assertThat(withTest.train().shape()).isEqualTo(Shape.chw(3, 32, 32));
        assertThat(withTest.train().size()).isEqualTo(27);
        assertThat(set(withTest.test().labels())).containsExactlyInAnyOrder(0, 2);
    }

    @Test
    void syntheticDefaultsAndSeeds() {
        DataSplits splits = DatasetLoader.loadUncached(ds("synthetic", null, null, null, null), 1);
        assertThat(splits.train().shape()).isEqualTo(Shape.chw(1, 28, 28));
        assertThat(splits.train().numClasses()).isEqualTo(10);
        assertThat(new int[] {splits.train().size(), splits.validation().size(), splits.test().size()})
                .containsExactly(3000, 375, 375);
        DataSplits small = DatasetLoader.loadUncached(ds("synthetic", null, 200, 3, 12), 1);
        assertThat(small.test().shape()).isEqualTo(Shape.chw(1, 12, 12));
        assertThat(set(small.train().labels())).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void labelOutsideTheClassesIsNamed() throws IOException {
        Path data = DatasetFixtures.idx(dir, 24, 12, 4, 6, true);
        assertThatThrownBy(() -> DatasetLoader.load(ds("idx", data, null, 4, null), 0))
                .isInstanceOfSatisfying(DatasetException.class, e -> assertThat(e.errors()).containsExactly(
                        new FieldError("dataset.classes", "label 4 in " + data.resolve(IdxFormat.TRAIN_LABELS + ".gz")
                                + " is outside the 4 classes of dataset.classes")));
    }

    @Test
    void fileProblemsAreNamed() throws IOException {
        Path data = DatasetFixtures.idx(dir, 24, 12, 4, 3, false);
        JobSpec.Dataset ds = ds("idx", data, null, null, null);

        // Truncated pixels: the header is fine (the probe passes), the loader finds the end early.
        Path images = data.resolve(IdxFormat.TEST_IMAGES);
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> DatasetLoader.load(ds, 0)).isInstanceOf(DatasetException.class)
                .hasMessage("dataset.path: " + images + " is truncated: it ends before the data its header announces");

        Files.write(images, new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        assertThatThrownBy(() -> DatasetLoader.load(ds, 0)).hasMessageContaining("magic number 0x00000801");

        IdxFormat.writeImages(images, 4, 4, DatasetFixtures.pixels(11, 16, 200));
        assertThatThrownBy(() -> DatasetLoader.load(ds, 0))
                .hasMessageContaining("holds 12 labels but " + images + " holds 11 images");

        Files.delete(images);
        assertThatThrownBy(() -> DatasetLoader.load(ds, 0))
                .hasMessage("dataset.path: no t10k-images-idx3-ubyte(.gz) in " + data);
    }

    @Test
    void theLastLoadIsCached() throws IOException {
        Path data = DatasetFixtures.idx(dir, 24, 12, 4, 3, true);
        JobSpec.Dataset ds = ds("idx", data, null, null, null);
        DataSplits first = DatasetLoader.load(ds, 7);
        assertThat(DatasetLoader.load(new JobSpec.Dataset("idx", data.toString(), null), 7)).isSameAs(first);
        DataSplits otherSeed = DatasetLoader.load(ds, 8);
        assertThat(otherSeed).isNotSameAs(first);
        assertThat(DatasetLoader.load(ds, 7)).isNotSameAs(first);
    }

    @Test
    void fashionMnistWithALimit() {
        Assumptions.assumeTrue(Files.isDirectory(FASHION_MNIST), "Fashion-MNIST is not installed");
        DataSplits splits = DatasetLoader.loadUncached(ds("idx", FASHION_MNIST, 1000, null, null), 0);
        assertThat(splits.train().shape()).isEqualTo(Shape.chw(1, 28, 28));
        assertThat(splits.train().numClasses()).isEqualTo(10);
        assertThat(new int[] {splits.train().size(), splits.validation().size(), splits.test().size()})
                .containsExactly(1000, 200, 200);
        assertThat(set(splits.train().labels())).hasSize(10);
        Normalization after = Normalization.fit(splits.train());
        assertThat(after.mean()[0]).isCloseTo(0f, offset(1e-3f));
        assertThat(after.std()[0]).isCloseTo(1f, offset(1e-3f));
    }

    private static Set<Integer> set(int[] values) {
        Set<Integer> out = new HashSet<>();
        for (int v : values) {
            out.add(v);
        }
        return out;
    }

    /** The id of each image (its first pixel byte, see DatasetFixtures), undoing the normalisation of channel 0. */
    private static int[] ids(ImageSet set, Normalization normalization) {
        int[] ids = new int[set.size()];
        for (int i = 0; i < set.size(); i++) {
            float scaled = set.pixels()[set.offset(i)] * normalization.std()[0] + normalization.mean()[0];
            ids[i] = Math.round(scaled * 255);
        }
        return ids;
    }
}
