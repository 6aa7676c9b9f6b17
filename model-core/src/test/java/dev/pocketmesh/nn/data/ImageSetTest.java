package dev.pocketmesh.nn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pocketmesh.model.Shape;
import org.junit.jupiter.api.Test;

class ImageSetTest {
    /** 3 images of 2 x 1 x 2: image i holds i*10 + 0..3. */
    private static final ImageSet SET = new ImageSet(Shape.chw(2, 1, 2), 4,
            new float[] {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}, new int[] {3, 1, 0});

    @Test
    void offsetsAndImages() {
        assertThat(SET.size()).isEqualTo(3);
        assertThat(SET.imageElements()).isEqualTo(4);
        assertThat(SET.offset(2)).isEqualTo(8);
        assertThat(SET.image(1)).containsExactly(10, 11, 12, 13);
        assertThat(SET.label(0)).isEqualTo(3);
    }

    @Test
    void subsetKeepsTheGivenOrderAndHeadTakesTheFirst() {
        ImageSet picked = SET.subset(new int[] {2, 0, 2});
        assertThat(picked.pixels()).containsExactly(20, 21, 22, 23, 0, 1, 2, 3, 20, 21, 22, 23);
        assertThat(picked.labels()).containsExactly(0, 3, 0);
        assertThat(picked.numClasses()).isEqualTo(4);
        assertThat(SET.head(1).labels()).containsExactly(3);
        assertThat(SET.head(10)).isSameAs(SET);
        assertThatThrownBy(() -> SET.subset(new int[] {3})).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void pixelCountMustMatchLabelsAndShape() {
        assertThatThrownBy(() -> new ImageSet(Shape.chw(1, 2, 2), 2, new float[7], new int[2]))
                .hasMessageContaining("2 labels need 8 pixels");
        assertThatThrownBy(() -> new ImageSet(Shape.features(4), 2, new float[4], new int[1]))
                .hasMessageContaining("C x H x W");
    }

    @Test
    void normalizationFitsChannelsSeparately() {
        Normalization n = Normalization.fit(SET);
        // Channel 0 holds {0, 1, 10, 11, 20, 21}: mean 10.5.
        assertThat(n.mean()).containsExactly(10.5f, 12.5f);
        ImageSet copy = SET.subset(new int[] {0, 1, 2});
        n.applyInPlace(copy);
        Normalization after = Normalization.fit(copy);
        assertThat(after.mean()[0]).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(after.std()[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(n.apply(SET.image(0))).containsExactly(copy.image(0));
        assertThat(SET.pixels()[0]).isEqualTo(0f);
    }
}
