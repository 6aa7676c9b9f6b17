package dev.pocketmesh.nn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.tensor.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelTrainerTest {
    /** 4 classes: which quadrant of a 1x12x12 image holds a bright blob, plus noise. */
    static ImageSet quadrants(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] pixels = new float[n * 144];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(4);
            labels[i] = label;
            int r0 = label / 2 * 6;
            int c0 = label % 2 * 6;
            for (int r = 0; r < 12; r++) {
                for (int c = 0; c < 12; c++) {
                    boolean inside = r >= r0 && r < r0 + 6 && c >= c0 && c < c0 + 6;
                    pixels[i * 144 + r * 12 + c] = (float) ((inside ? 1.0 : 0.0) + 0.5 * random.nextGaussian());
                }
            }
        }
        return new ImageSet(Shape.chw(1, 12, 12), 4, pixels, labels);
    }

    private static NetSpec smallCnn() {
        return ModelZoo.lenet5(1, 12, 12, 4);
    }

    @Test
    void trainingLearnsAndReportsEveryEpoch() throws Exception {
        ImageSet train = quadrants(512, 1);
        ImageSet validation = quadrants(200, 2);
        List<ModelTrainer.EpochStats> seen = new ArrayList<>();
        TrainingConfig config = new TrainingConfig(3, 32, 0.05, "sgd", "cosine", 5e-4, 0.9, 11);
        ModelTrainer.Result result = ModelTrainer.train(smallCnn(), null, train, validation, config,
                new Device[] {Device.cpu()}, (stats, w) -> seen.add(stats));
        assertThat(seen).extracting(ModelTrainer.EpochStats::epoch).containsExactly(1, 2, 3);
        assertThat(seen.get(2).trainLoss()).isLessThan(seen.get(0).trainLoss());
        assertThat(result.finalValidationAccuracy()).isGreaterThan(0.9); // chance is 0.25
        try (LoadedModel model = LoadedModel.load(smallCnn(), result.weights(), Device.cpu())) {
            assertThat(model.accuracy(validation, 64).top1()).isEqualTo(result.finalValidationAccuracy());
        }
    }

    @Test
    void theSameSeedGivesTheSameWeights() throws Exception {
        ImageSet train = quadrants(128, 3);
        TrainingConfig config = new TrainingConfig(1, 32, 0.05, "adam", "step", 0, 0.9, 5);
        Weights a = ModelTrainer.train(smallCnn(), null, train, null, config, new Device[] {Device.cpu()},
                (s, w) -> { }).weights();
        Weights b = ModelTrainer.train(smallCnn(), null, train, null, config, new Device[] {Device.cpu()},
                (s, w) -> { }).weights();
        assertThat(b.asMap()).isEqualTo(a.asMap());
    }

    @Test
    void fineTuningStartsFromTheGivenWeights() throws Exception {
        ImageSet train = quadrants(512, 4);
        ImageSet validation = quadrants(200, 5);
        TrainingConfig config = new TrainingConfig(3, 32, 0.05, "sgd", "cosine", 5e-4, 0.9, 1);
        Weights trained = ModelTrainer.train(smallCnn(), null, train, validation, config,
                new Device[] {Device.cpu()}, (s, w) -> { }).weights();
        // Zero epochs: nothing changes, and the accuracy is the trained one, not chance.
        ModelTrainer.Result none = ModelTrainer.train(smallCnn(), trained, train, validation, config.withEpochs(0),
                new Device[] {Device.cpu()}, (s, w) -> { });
        assertThat(none.weights().asMap()).isEqualTo(trained.asMap());
    }

    @Test
    void aRunResumedFromAnEpochCheckpointEndsAsTheUninterruptedRun() throws Exception {
        ImageSet train = quadrants(256, 7);
        // Momentum 0: plain SGD holds no optimiser state, so a checkpoint of the weights is the whole state.
        TrainingConfig config = new TrainingConfig(3, 32, 0.05, "sgd", "cosine", 5e-4, 0.0, 9);
        Device[] cpu = {Device.cpu()};
        Weights uninterrupted = ModelTrainer.train(smallCnn(), null, train, null, config, cpu, (s, w) -> { }).weights();

        Weights[] checkpoint = new Weights[1];
        assertThatThrownBy(() -> ModelTrainer.train(smallCnn(), null, train, null, config, cpu,
                new ModelTrainer.Listener() {
                    @Override
                    public void epochFinished(ModelTrainer.EpochStats stats, Weights weights) {
                        checkpoint[0] = weights;
                        if (stats.epoch() == 2) {
                            throw new IllegalStateException("worker died");
                        }
                    }

                    @Override
                    public boolean wantsWeights() {
                        return true;
                    }
                })).hasMessage("worker died");
        List<Integer> resumedEpochs = new ArrayList<>();
        Weights resumed = ModelTrainer.train(smallCnn(), checkpoint[0], train, null, config, cpu,
                (s, w) -> resumedEpochs.add(s.epoch()), 2).weights();
        assertThat(resumedEpochs).containsExactly(3);
        uninterrupted.asMap().forEach((name, t) -> assertThat(resumed.asMap().get(name).data()).as(name)
                .containsExactly(t.data(), org.assertj.core.data.Offset.offset(1e-5f)));
    }

    @Test
    void aListenerCanStopTraining() {
        ImageSet train = quadrants(256, 6);
        TrainingConfig config = new TrainingConfig(5, 16, 0.05, "sgd", "cosine", 0, 0.9, 1);
        int[] batches = {0};
        assertThatThrownBy(() -> ModelTrainer.train(smallCnn(), null, train, null, config,
                new Device[] {Device.cpu()}, new ModelTrainer.Listener() {
                    @Override
                    public void epochFinished(ModelTrainer.EpochStats stats, Weights w) {
                    }

                    @Override
                    public void checkContinue() {
                        if (++batches[0] > 3) {
                            throw new IllegalStateException("lease lost");
                        }
                    }
                })).hasMessage("lease lost");
        assertThat(batches[0]).isEqualTo(4);
    }
}
