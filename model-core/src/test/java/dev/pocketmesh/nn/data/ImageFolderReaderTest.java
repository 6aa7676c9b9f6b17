package dev.pocketmesh.nn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.pocketmesh.dataset.DatasetException;
import dev.pocketmesh.dataset.DatasetFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {
    @TempDir
    Path dir;

    @Test
    void shrinkingAveragesAreasIncludingPartialPixels() {
        assertThat(ImageFolderReader.resample(new float[] {0, 4, 8, 12}, 4, 2)).containsExactly(2, 10);
        // 3 -> 2: output 0 covers input 0 and half of input 1.
        float[] out = ImageFolderReader.resample(new float[] {0, 3, 6}, 3, 2);
        assertThat(out[0]).isCloseTo((0 + 0.5f * 3) / 1.5f, offset(1e-5f));
        assertThat(out[1]).isCloseTo((0.5f * 3 + 6) / 1.5f, offset(1e-5f));
    }

    @Test
    void enlargingInterpolatesBetweenPixelCentres() {
        assertThat(ImageFolderReader.resample(new float[] {0, 8}, 2, 4)).containsExactly(0, 2, 6, 8);
        float[] plane = {0, 8, 0, 8};
        assertThat(ImageFolderReader.resize(plane, 2, 2, 4, 1)).containsExactly(0, 2, 6, 8);
    }

    @Test
    void colourImagesBecomeRgbPlanes() throws IOException {
        Path png = dir.resolve("a.png");
        DatasetFixtures.png(png, 7, 3, 0x0A_80_F0);
        float[] rgb = ImageFolderReader.decode(png, 4);
        assertThat(rgb).hasSize(3 * 16);
        assertThat(rgb[0]).isEqualTo(0x0A);
        assertThat(rgb[16 + 5]).isEqualTo(0x80);
        assertThat(rgb[47]).isEqualTo(0xF0);
        Path jpg = dir.resolve("b.jpg");
        DatasetFixtures.png(jpg, 16, 16, 0x40_40_40);
        assertThat(ImageFolderReader.decode(jpg, 8)[10]).isCloseTo(0x40, offset(3f));
    }

    @Test
    void undecodableImageIsNamed() throws IOException {
        Path bad = dir.resolve("c.png");
        Files.writeString(bad, "not a png");
        assertThatThrownBy(() -> ImageFolderReader.decode(bad, 8)).isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("dataset.path: cannot decode image " + bad);
    }
}
