package dev.pocketmesh.dataset;

/**
 * What a job's dataset looks like to the network: images of {@code channels x height x width}, labels in
 * {@code [0, numClasses)}, and how many examples the training split holds (after the validation share and
 * {@code dataset.limit} are taken off).
 */
public record DatasetShape(int channels, int height, int width, int numClasses, long trainExamples) {
}
