package dev.pocketmesh.nn.data;

/**
 * A dataset's three splits: {@code train} for fine-tuning, {@code validation} for the search's accuracy,
 * {@code test} for the final report; all normalised with {@code normalization} (fitted on {@code train}).
 */
public record DataSplits(ImageSet train, ImageSet validation, ImageSet test, Normalization normalization) {
    @Override
    public String toString() {
        return "DataSplits[train " + train + ", validation " + validation.size() + ", test " + test.size() + "]";
    }
}
