package dev.pocketmesh.model;

/**
 * The shape of one activation tensor, batch dimension left out: either a feature map (C, H, W) or, after
 * {@link Layer.Flatten} / {@link Layer.Linear}, a flat vector of {@code channels} features
 * ({@code flat == true}, height = width = 1).
 */
public record Shape(int channels, int height, int width, boolean flat) {
    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape dimensions must be >= 1: " + channels + "x" + height + "x" + width);
        }
        if (flat && (height != 1 || width != 1)) {
            throw new IllegalArgumentException("a flat shape has height = width = 1");
        }
    }

    public static Shape chw(int channels, int height, int width) {
        return new Shape(channels, height, width, false);
    }

    public static Shape features(int n) {
        return new Shape(n, 1, 1, true);
    }

    /** Number of scalars in the tensor (per sample). */
    public long elements() {
        return (long) channels * height * width;
    }

    @Override
    public String toString() {
        return flat ? "[" + channels + "]" : channels + "x" + height + "x" + width;
    }
}
