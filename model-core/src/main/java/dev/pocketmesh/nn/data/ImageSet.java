package dev.pocketmesh.nn.data;

import dev.pocketmesh.model.Shape;

/**
 * Labelled images held in memory: {@code pixels} is N x C x H x W row-major (image i starts at {@link #offset(int)}),
 * {@code labels[i]} in {@code [0, numClasses)}. The arrays are shared, not copied (a Fashion-MNIST training set is
 * 170 MB of floats): treat them as read-only, since the loader caches and hands out the same sets.
 */
public record ImageSet(Shape shape, int numClasses, float[] pixels, int[] labels) {
    public ImageSet {
        if (shape == null || shape.flat()) {
            throw new IllegalArgumentException("an image set needs a C x H x W shape, got " + shape);
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        if ((long) labels.length * shape.elements() != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels need " + labels.length * shape.elements()
                    + " pixels of shape " + shape + ", got " + pixels.length);
        }
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Scalars per image: C * H * W. */
    public int imageElements() {
        return (int) shape.elements();
    }

    /** Where image {@code i} starts in {@link #pixels()}. */
    public int offset(int i) {
        return Math.multiplyExact(i, imageElements());
    }

    /** A copy of image {@code i}, C x H x W row-major. */
    public float[] image(int i) {
        float[] out = new float[imageElements()];
        System.arraycopy(pixels, offset(i), out, 0, out.length);
        return out;
    }

    public int label(int i) {
        return labels[i];
    }

    /** The images at {@code indices}, in that order (copied). */
    public ImageSet subset(int[] indices) {
        int per = imageElements();
        float[] outPixels = new float[Math.multiplyExact(indices.length, per)];
        int[] outLabels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("index " + i + " outside an image set of " + size());
            }
            System.arraycopy(pixels, i * per, outPixels, k * per, per);
            outLabels[k] = labels[i];
        }
        return new ImageSet(shape, numClasses, outPixels, outLabels);
    }

    /** The first {@code n} images (all of them when there are fewer); the loader orders sets randomly, so this is a
     * random sample of a loaded split. */
    public ImageSet head(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("head needs n >= 0, got " + n);
        }
        if (n >= size()) {
            return this;
        }
        int[] first = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = i;
        }
        return subset(first);
    }

    @Override
    public String toString() {
        return "ImageSet[" + size() + " x " + shape + ", " + numClasses + " classes]";
    }
}
