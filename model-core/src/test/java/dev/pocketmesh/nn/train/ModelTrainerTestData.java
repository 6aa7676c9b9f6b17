package dev.pocketmesh.nn.train;

import dev.pocketmesh.nn.data.ImageSet;

/** Small labelled tasks for tests of training code. */
public final class ModelTrainerTestData {
    private ModelTrainerTestData() {
    }

    /** 4 classes: which quadrant of a 1x12x12 image holds a bright blob, plus noise. */
    public static ImageSet quadrants(int n, long seed) {
        return ModelTrainerTest.quadrants(n, seed);
    }
}
