package dev.pocketmesh.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFormatTest {
    @TempDir
    Path dir;

    @Test
    void gzippedAndPlainFilesReadTheSame() throws IOException {
        byte[] pixels = DatasetFixtures.pixels(5, 12, 0);
        IdxFormat.writeImages(dir.resolve("a"), 3, 4, pixels);
        IdxFormat.writeImages(dir.resolve("b.gz"), 3, 4, pixels);
        assertThat(Files.size(dir.resolve("b.gz"))).isNotEqualTo(Files.size(dir.resolve("a")));
        for (String name : new String[] {"a", "b.gz"}) {
            IdxFormat.Images images = IdxFormat.readImages(dir.resolve(name));
            assertThat(images.header()).isEqualTo(new IdxFormat.ImagesHeader(5, 3, 4));
            assertThat(images.pixels()).isEqualTo(pixels);
        }
        int[] labels = {0, 255, 7, 3};
        IdxFormat.writeLabels(dir.resolve("l.gz"), labels);
        assertThat(IdxFormat.readLabels(dir.resolve("l.gz"))).containsExactly(labels);
    }

    @Test
    void gzipIsRecognisedByContentNotName() throws IOException {
        IdxFormat.writeLabels(dir.resolve("x.gz"), new int[] {1, 2});
        Files.move(dir.resolve("x.gz"), dir.resolve(IdxFormat.TRAIN_LABELS));
        assertThat(IdxFormat.readLabels(IdxFormat.locate(dir, IdxFormat.TRAIN_LABELS))).containsExactly(1, 2);
    }

    @Test
    void locatePrefersPlainAndNamesTheMissingFile() throws IOException {
        IdxFormat.writeLabels(dir.resolve(IdxFormat.TEST_LABELS + ".gz"), new int[] {1});
        assertThat(IdxFormat.locate(dir, IdxFormat.TEST_LABELS)).isEqualTo(dir.resolve(IdxFormat.TEST_LABELS + ".gz"));
        IdxFormat.writeLabels(dir.resolve(IdxFormat.TEST_LABELS), new int[] {1});
        assertThat(IdxFormat.locate(dir, IdxFormat.TEST_LABELS)).isEqualTo(dir.resolve(IdxFormat.TEST_LABELS));
        assertThatThrownBy(() -> IdxFormat.locate(dir, IdxFormat.TRAIN_IMAGES))
                .isInstanceOf(DatasetException.class)
                .hasMessage("dataset.path: no train-images-idx3-ubyte(.gz) in " + dir);
    }

    @Test
    void wrongMagicIsRefusedWithBothNumbers() throws IOException {
        IdxFormat.writeLabels(dir.resolve("labels"), new int[] {1, 2});
        assertThatThrownBy(() -> IdxFormat.readImagesHeader(dir.resolve("labels")))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("is not an images file")
                .hasMessageContaining("0x00000801").hasMessageContaining("0x00000803");
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        IdxFormat.writeImages(dir.resolve("full"), 2, 2, DatasetFixtures.pixels(3, 4, 0));
        byte[] bytes = Files.readAllBytes(dir.resolve("full"));
        Files.write(dir.resolve("cut"), Arrays.copyOf(bytes, bytes.length - 5));
        assertThatThrownBy(() -> IdxFormat.readImages(dir.resolve("cut")))
                .isInstanceOf(DatasetException.class).hasMessageContaining("is truncated");
        Files.write(dir.resolve("header"), ByteBuffer.allocate(6).putInt(IdxFormat.LABELS_MAGIC).array());
        assertThatThrownBy(() -> IdxFormat.readLabels(dir.resolve("header")))
                .isInstanceOf(DatasetException.class).hasMessageContaining("is truncated");
    }
}
