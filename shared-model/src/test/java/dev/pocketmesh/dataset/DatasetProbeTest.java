package dev.pocketmesh.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.spec.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetProbeTest {
    @TempDir
    Path dir;

    private static JobSpec.Dataset ds(String format, Path path, Integer limit, Integer classes, Integer size) {
        return new JobSpec.Dataset(format, path == null ? null : path.toString(), limit, classes, size);
    }

    @Test
    void idxShapeComesFromHeadersAndLabels() throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path data = DatasetFixtures.idx(dir.resolve("idx-" + gzip), 36, 10, 6, 4, gzip);
            // 36 train images: 36 / 12 = 3 held out for validation.
            assertThat(DatasetProbe.probe(ds("idx", data, null, null, null)))
                    .isEqualTo(new DatasetShape(1, 6, 6, 4, 33));
            assertThat(DatasetProbe.probe(ds("idx", data, 20, 7, null)))
                    .isEqualTo(new DatasetShape(1, 6, 6, 7, 20));
        }
    }

    @Test
    void idxLabelOutsideTheGivenClassesNamesFileAndClasses() throws IOException {
        Path data = DatasetFixtures.idx(dir, 12, 10, 4, 10, true);
        assertThatThrownBy(() -> DatasetProbe.probe(ds("idx", data, null, 5, null)))
                .isInstanceOfSatisfying(DatasetException.class, e -> assertThat(e.errors()).containsExactly(
                        new FieldError("dataset.classes", "label 5 in " + data.resolve(IdxFormat.TRAIN_LABELS + ".gz")
                                + " is outside the 5 classes of dataset.classes")));
    }

    @Test
    void idxMissingFileIsNamed() throws IOException {
        Path data = DatasetFixtures.idx(dir, 12, 10, 4, 3, false);
        Files.delete(data.resolve(IdxFormat.TEST_IMAGES));
        assertThatThrownBy(() -> DatasetProbe.probe(ds("idx", data, null, null, null)))
                .isInstanceOfSatisfying(DatasetException.class, e -> assertThat(e.errors()).containsExactly(
                        new FieldError("dataset.path", "no t10k-images-idx3-ubyte(.gz) in " + data)));
    }

    @Test
    void idxCountMismatchIsRefused() throws IOException {
        Path data = DatasetFixtures.idx(dir, 12, 10, 4, 3, false);
        IdxFormat.writeLabels(data.resolve(IdxFormat.TRAIN_LABELS), DatasetFixtures.labels(11, 3));
        assertThatThrownBy(() -> DatasetProbe.probe(ds("idx", data, null, null, null)))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("holds 11 labels but").hasMessageContaining("holds 12 images");
    }

    @Test
    void idxBadMagicIsRefused() throws IOException {
        Path data = DatasetFixtures.idx(dir, 12, 10, 4, 3, false);
        // A labels file where the images file should be.
        IdxFormat.writeLabels(data.resolve(IdxFormat.TRAIN_IMAGES), DatasetFixtures.labels(12, 3));
        assertThatThrownBy(() -> DatasetProbe.probe(ds("idx", data, null, null, null)))
                .isInstanceOf(DatasetException.class).hasMessageStartingWith("dataset.path: ")
                .hasMessageContaining("magic number 0x00000801");
    }

    @Test
    void idxImageSizeIsRefused() throws IOException {
        Path data = DatasetFixtures.idx(dir, 12, 10, 4, 3, false);
        assertThatThrownBy(() -> DatasetProbe.probe(ds("idx", data, null, null, 32)))
                .isInstanceOfSatisfying(DatasetException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field).containsExactly("dataset.imageSize"));
    }

    @Test
    void cifarInItsSubfolderIsFound() throws IOException {
        DatasetFixtures.cifar(dir.resolve(CifarFormat.SUBFOLDER), 12, 5);
        // 60 train records: 5 held out for validation.
        assertThat(DatasetProbe.probe(ds("cifar10", dir, null, null, null)))
                .isEqualTo(new DatasetShape(3, 32, 32, 10, 55));
    }

    @Test
    void cifarLabelsAreCheckedAndSizesMustBeWholeRecords() throws IOException {
        Path data = DatasetFixtures.cifar(dir, 12, 5);
        assertThatThrownBy(() -> DatasetProbe.probe(ds("cifar10", data, null, 8, null)))
                .isInstanceOf(DatasetException.class)
                .hasMessage("dataset.classes: label 8 in " + data.resolve("data_batch_1.bin")
                        + " is outside the 8 classes of dataset.classes");
        Files.write(data.resolve("test_batch.bin"), new byte[CifarFormat.RECORD_BYTES + 1]);
        assertThatThrownBy(() -> DatasetProbe.probe(ds("cifar10", data, null, null, null)))
                .isInstanceOf(DatasetException.class).hasMessageContaining("not a whole number of 3073-byte");
        Files.delete(data.resolve("data_batch_4.bin"));
        assertThatThrownBy(() -> DatasetProbe.probe(ds("cifar10", data, null, null, null)))
                .hasMessage("dataset.path: no data_batch_4.bin in " + data);
    }

    @Test
    void imageFolderClassesAreSortedSubfolders() throws IOException {
        for (String cls : new String[] {"dog", "cat", "bird"}) {
            for (int i = 0; i < 10; i++) {
                DatasetFixtures.png(dir.resolve("train").resolve(cls).resolve(i + ".png"), 5, 7, 0x102030 * i);
            }
        }
        Files.writeString(dir.resolve("train/cat/notes.txt"), "skipped");
        // 30 images, no test/: 3 validation + 3 test held out.
        assertThat(DatasetProbe.probe(ds("image-folder", dir, null, null, null)))
                .isEqualTo(new DatasetShape(3, 32, 32, 3, 24));
        assertThat(ImageFolderLayout.classes(dir)).containsExactly("bird", "cat", "dog");
        DatasetFixtures.png(dir.resolve("test/cat/0.png"), 5, 5, 0);
        assertThat(DatasetProbe.probe(ds("image-folder", dir, null, 4, 16)))
                .isEqualTo(new DatasetShape(3, 16, 16, 4, 27));
        assertThat(ImageFolderLayout.testImages(dir, ImageFolderLayout.classes(dir)).orElseThrow())
                .extracting(ImageFolderLayout.Entry::label).containsExactly(1);
    }

    @Test
    void imageFolderErrorsNameTheFolder() throws IOException {
        assertThatThrownBy(() -> DatasetProbe.probe(ds("image-folder", dir, null, null, null)))
                .hasMessageStartingWith("dataset.path: no train/ folder in " + dir);
        for (String cls : new String[] {"a", "b", "c"}) {
            DatasetFixtures.png(dir.resolve("train").resolve(cls).resolve("0.png"), 4, 4, 0);
        }
        assertThatThrownBy(() -> DatasetProbe.probe(ds("image-folder", dir, null, 2, null)))
                .isInstanceOfSatisfying(DatasetException.class, e -> assertThat(e.errors().get(0).field())
                        .isEqualTo("dataset.classes"))
                .hasMessageContaining("label 2 (class folder 'c')");
        DatasetFixtures.png(dir.resolve("test/zebra/0.png"), 4, 4, 0);
        assertThatThrownBy(() -> DatasetProbe.probe(ds("image-folder", dir, null, null, null)))
                .hasMessageContaining("zebra has no counterpart in " + dir.resolve("train"));
        Files.createDirectories(dir.resolve("train/d"));
        assertThatThrownBy(() -> DatasetProbe.probe(ds("image-folder", dir, null, null, null)))
                .hasMessage("dataset.path: class folder " + dir.resolve("train/d") + " holds no .png/.jpg images");
    }

    @Test
    void syntheticNeedsNoPath() {
        assertThat(DatasetProbe.probe(ds("synthetic", null, null, null, null)))
                .isEqualTo(new DatasetShape(1, 28, 28, 10, 3000));
        assertThat(DatasetProbe.probe(ds("synthetic", null, 500, 3, 12)))
                .isEqualTo(new DatasetShape(1, 12, 12, 3, 500));
    }

    @Test
    void pathProblemsAreNamed() throws IOException {
        assertThatThrownBy(() -> DatasetProbe.probe(ds("idx", null, null, null, null)))
                .hasMessage("dataset.path: is required for format 'idx'");
        assertThatThrownBy(() -> DatasetProbe.probe(ds("idx", dir.resolve("nope"), null, null, null)))
                .hasMessage("dataset.path: does not exist: " + dir.resolve("nope"));
        Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> DatasetProbe.probe(ds("cifar10", dir.resolve("file"), null, null, null)))
                .hasMessage("dataset.path: is not a directory: " + dir.resolve("file"));
        assertThatThrownBy(() -> DatasetProbe.probe(ds("tfrecord", dir, null, null, null)))
                .isInstanceOfSatisfying(DatasetException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field).containsExactly("dataset.format"));
    }

    @Test
    void splitRulesMatchTheBrief() {
        assertThat(SplitRules.heldOutValidation(60_000)).isEqualTo(5000);
        assertThat(SplitRules.heldOutValidation(50_000)).isEqualTo(4166);
        assertThat(SplitRules.heldOutValidation(120_000)).isEqualTo(5000);
        assertThat(SplitRules.heldOutValidation(5)).isEqualTo(1);
        assertThat(SplitRules.evaluationCap(1000)).isEqualTo(200);
        assertThat(SplitRules.evaluationCap(50)).isEqualTo(100);
        assertThat(SplitRules.syntheticEvaluation(null)).isEqualTo(375);
        assertThat(SplitRules.tenPercent(3)).isEqualTo(1);
        assertThat(SplitRules.tenPercent(2)).isZero();
        assertThat(SplitRules.tenPercent(57)).isEqualTo(5);
    }
}
