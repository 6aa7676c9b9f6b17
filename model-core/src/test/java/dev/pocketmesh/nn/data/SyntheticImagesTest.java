package dev.pocketmesh.nn.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticImagesTest {
    @Test
    void sameSeedSameImagesAndLargerSetsExtendSmallerOnes() {
        RawImages small = SyntheticImages.generate(30, 4, 12, 7);
        RawImages large = SyntheticImages.generate(50, 4, 12, 7);
        assertThat(Arrays.copyOf(large.pixels(), small.pixels().length)).isEqualTo(small.pixels());
        assertThat(Arrays.copyOf(large.labels(), 30)).isEqualTo(small.labels());
        assertThat(SyntheticImages.generate(30, 4, 12, 8).pixels()).isNotEqualTo(small.pixels());
        assertThat(small.labels()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1,
                2, 3, 0, 1, 2, 3, 0, 1);
    }

    /**
     * Learnable but not trivial: the nearest class mean (from 100 examples per class) labels held-out examples
     * mostly right, while a single example is far from its prototype (noise, shift, contrast).
     */
    @Test
    void classesAreSeparableButExamplesAreNoisy() {
        int classes = 10;
        int side = 28;
        ImageSet train = all(SyntheticImages.generate(1000, classes, side, 3), classes);
        ImageSet held = all(SyntheticImages.generate(1300, classes, side, 3), classes);
        int per = train.imageElements();
        double[][] means = new double[classes][per];
        for (int i = 0; i < train.size(); i++) {
            for (int p = 0; p < per; p++) {
                means[train.label(i)][p] += train.pixels()[train.offset(i) + p] / 100.0;
            }
        }
        int correct = 0;
        double noise = 0;
        for (int i = 1000; i < held.size(); i++) {
            int best = -1;
            double bestDistance = Double.MAX_VALUE;
            for (int k = 0; k < classes; k++) {
                double d = 0;
                for (int p = 0; p < per; p++) {
                    double diff = held.pixels()[held.offset(i) + p] - means[k][p];
                    d += diff * diff;
                }
                if (k == held.label(i)) {
                    noise += Math.sqrt(d / per);
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = k;
                }
            }
            correct += best == held.label(i) ? 1 : 0;
        }
        double accuracy = correct / 300.0;
        System.out.println("nearest-mean accuracy " + accuracy + ", rms distance to own class mean " + noise / 300);
        assertThat(accuracy).isGreaterThan(0.8);
        assertThat(noise / 300).isGreaterThan(0.15);
    }

    private static ImageSet all(RawImages raw, int classes) {
        int[] indices = new int[raw.size()];
        Arrays.setAll(indices, i -> i);
        return raw.toImageSet(indices, classes);
    }
}
