package dev.pocketmesh.nn.data;

import dev.pocketmesh.model.Shape;

/**
 * Decoded images as the files store them, one unsigned byte per pixel (N x C x H x W row-major) with their labels.
 * Kept as bytes until the splits are chosen, so only the chosen examples are widened to floats.
 *
 * @param source where the images came from, for error messages (a file or folder)
 */
public record RawImages(Shape shape, byte[] pixels, int[] labels, String source) {
    public RawImages {
        if ((long) labels.length * shape.elements() != pixels.length) {
            throw new IllegalArgumentException(source + ": " + labels.length + " labels need "
                    + labels.length * shape.elements() + " pixels of shape " + shape + ", got " + pixels.length);
        }
    }

    public int size() {
        return labels.length;
    }

    /** The images at {@code indices}, in that order, with pixels scaled from 0..255 to [0, 1]. */
    public ImageSet toImageSet(int[] indices, int numClasses) {
        int per = (int) shape.elements();
        float[] out = new float[Math.multiplyExact(indices.length, per)];
        int[] outLabels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int from = indices[k] * per;
            int to = k * per;
            for (int p = 0; p < per; p++) {
                out[to + p] = (pixels[from + p] & 0xff) / 255f;
            }
            outLabels[k] = labels[indices[k]];
        }
        return new ImageSet(shape, numClasses, out, outLabels);
    }
}
