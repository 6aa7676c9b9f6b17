package dev.pocketmesh.nn.compress;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.build.NetWeights;
import dev.pocketmesh.nn.build.SpecNetwork;
import dev.pocketmesh.nn.compress.transform.LsqWeightQuantizer;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.data.Normalization;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.learn.CodebookRecipe;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.learn.QuantizationRecipe;
import dev.pocketmesh.nn.learn.SparsificationRecipe;
import dev.pocketmesh.nn.measure.LoadedModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.tensor.Tensor;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.train.Distillation;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.ModelTrainerTestData;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Compression that trains: the DJL side of quantization, sparsification and codebooks, on a tiny task. */
class CompressedTrainingTest {
    private static final Device[] CPU = {Device.cpu()};
    private static final NetSpec NET = ModelZoo.lenet5(1, 12, 12, 4);
    private static DataSplits data;
    private static ModelFiles trained;
    private static double trainedAccuracy;

    @BeforeAll
    static void trainABaseline() throws Exception {
        ImageSet train = ModelTrainerTestData.quadrants(512, 1);
        ImageSet validation = ModelTrainerTestData.quadrants(300, 2);
        data = new DataSplits(train, validation, validation, Normalization.identity(1));
        ModelTrainer.Result r = ModelTrainer.train(NET, null, train, validation, config(3, 0.05), CPU, (s, w) -> {
        });
        trained = new ModelFiles(NET, r.weights());
        trainedAccuracy = r.finalValidationAccuracy();
        assertThat(trainedAccuracy).isGreaterThan(0.9);
    }

    private static TrainingConfig config(int epochs, double rate) {
        return new TrainingConfig(epochs, 32, rate, "sgd", "cosine", 5e-4, 0.9, 7);
    }

    private static double accuracyAsStored(ModelFiles model) {
        // Through the file: what an evaluator would read back.
        ModelFiles stored = ModelFiles.packed(model.spec(), PackedWeights.fromBytes(model.packed().toBytes()));
        try (LoadedModel loaded = LoadedModel.load(stored, Device.cpu())) {
            return loaded.accuracy(data.validation(), 64).top1();
        }
    }

    private static QuantizationRecipe.Settings quant(String mode, int bits, int activationBits) {
        return new QuantizationRecipe.Settings(mode, bits, Map.of(), true, true, Calibration.PERCENTILE, 99.99, 128,
                activationBits, true);
    }

    @Test
    void quantizationAwareTrainingIsBitIdenticalWhileTheGarbageCollectorRuns() throws Exception {
        // DJL frees the tensor behind mul(Number) / div(Number) while autograd still needs it for the backward pass:
        // with the garbage collector reclaiming those buffers, gradients were computed from freed memory and runs of
        // the same seed differed (and sometimes collapsed). Step sizes, input scales and the distillation temperature
        // all go through such products.
        Thread collector = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.gc();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        collector.setDaemon(true);
        collector.start();
        try {
            Distillation teacher = new Distillation(NET, trained.weights(), 4.0, 0.7);
            List<List<Double>> losses = new ArrayList<>();
            List<byte[]> files = new ArrayList<>();
            for (int run = 0; run < 2; run++) {
                List<Double> epochLosses = new ArrayList<>();
                QuantizationRecipe.Outcome out = QuantizationRecipe.run(trained, quant("qat", 4, 8), data,
                        config(2, 0.01), CPU, teacher, (stats, w) -> epochLosses.add(stats.trainLoss()));
                losses.add(epochLosses);
                files.add(out.model().packed().toBytes());
            }
            assertThat(losses.get(1)).hasSize(2).isEqualTo(losses.get(0));
            assertThat(files.get(1)).isEqualTo(files.get(0));
        } finally {
            collector.interrupt();
        }
    }

    @Test
    void straightThroughGradientsReachTheWeightAndTheStepSize() {
        Engines.pytorch();
        int[] shape = {4, 3};
        LsqWeightQuantizer lsq = new LsqWeightQuantizer(new QuantScheme(4, true, true), shape, null);
        NetSpec tiny = new NetSpec("tiny", dev.pocketmesh.model.Shape.features(3), 4,
                List.of(new dev.pocketmesh.model.Layer.Linear("fc", 3, 4, true)), List.of());
        try (Model model = Model.newInstance("tiny", Device.cpu())) {
            SpecNetwork network = new SpecNetwork(tiny, Map.of("fc", lsq));
            model.setBlock(network);
            network.initialize(model.getNDManager(), DataType.FLOAT32, network.inputShape(2));
            Weights w = RandomWeights.of(tiny, 3);
            NetWeights.write(network, w);
            network.startTransforms(w);
            NDManager manager = model.getNDManager();
            ParameterStore store = new ParameterStore(manager, false);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray x = manager.create(new float[] {0.3f, -1.2f, 0.8f, 1.5f, 0.1f, -0.4f}, new ai.djl.ndarray.types.Shape(2, 3));
                NDArray out = network.forward(store, new NDList(x), true).singletonOrThrow();
                collector.backward(out.square().sum());
            }
            var params = network.transformedLayers().get("fc").getDirectParameters();
            for (var p : params) {
                float[] grad = p.getValue().getArray().getGradient().toFloatArray();
                double norm = 0;
                for (float g : grad) {
                    norm += Math.abs(g);
                }
                assertThat(norm).as("gradient of " + p.getKey()).isGreaterThan(0);
            }
        }
    }

    @Test
    void foldedBatchNormsComputeTheSameFunction() {
        NetSpec resnet = ModelZoo.resnetCifar(20, 1, 12, 12, 4);
        Weights w = RandomWeights.of(resnet, 5);
        ModelFiles folded = BatchNormFolding.fold(resnet, w);
        assertThat(folded.spec().layers().stream().filter(l -> l instanceof dev.pocketmesh.model.Layer.BatchNorm))
                .isEmpty();
        try (LoadedModel a = LoadedModel.load(resnet, w, Device.cpu());
                LoadedModel b = LoadedModel.load(folded.spec(), folded.weights(), Device.cpu())) {
            float[] la = a.logits(data.validation(), 0, 16);
            float[] lb = b.logits(data.validation(), 0, 16);
            for (int i = 0; i < la.length; i++) {
                assertThat(lb[i]).isCloseTo(la[i], org.assertj.core.data.Offset.offset(1e-3f * (1 + Math.abs(la[i]))));
            }
        }
    }

    @Test
    void quantizationAwareTrainingStoresExactlyWhatItTrained() throws Exception {
        List<Double> epochAccuracy = new ArrayList<>();
        QuantizationRecipe.Outcome out = QuantizationRecipe.run(trained, quant("qat", 4, 8), data, config(1, 0.005),
                CPU, null, (s, w) -> epochAccuracy.add(s.validationAccuracy()));
        // The stored model (4-bit packed weights, 8-bit inputs) scores what training measured with fake quantization.
        assertThat(accuracyAsStored(out.model())).isEqualTo(epochAccuracy.get(0));
        assertThat(epochAccuracy.get(0)).isGreaterThan(trainedAccuracy - 0.05);
        for (EncodedTensor e : out.model().packed().tensors().values()) {
            if (e instanceof EncodedTensor.Quantized q) {
                assertThat(q.scheme().bits()).isEqualTo(4);
            }
        }
        assertThat(out.model().packed().activations()).containsKeys("conv1", "conv2", "fc1", "fc2", "fc3");
        int dense = PackedWeights.dense(trained.weights()).toBytes().length;
        assertThat(out.model().packed().toBytes().length).isLessThan(dense / 5);
    }

    @Test
    void eightBitPostTrainingQuantizationKeepsAccuracyWithoutTraining() throws Exception {
        QuantizationRecipe.Outcome out = QuantizationRecipe.run(trained, quant("ptq", 8, 8), data, config(0, 0.01),
                CPU, null, (s, w) -> {
                });
        assertThat(out.fineTuning()).isNull();
        assertThat(accuracyAsStored(out.model())).isGreaterThan(trainedAccuracy - 0.02);
        int dense = PackedWeights.dense(trained.weights()).toBytes().length;
        // A tiny net, where biases and the header weigh; LeNet-5 itself: see bench learners.
        assertThat((double) dense / out.model().packed().toBytes().length).isGreaterThan(3.0);
    }

    @Test
    void gradualPruningReachesTheTargetSparsityAndStoresItSparse() throws Exception {
        SparsificationRecipe.Settings settings = new SparsificationRecipe.Settings(0.75, Map.of(), true, 1, 0.0, 0.6,
                3, 4);
        SparsificationRecipe.Outcome out = SparsificationRecipe.run(trained, settings, data, config(2, 0.01), CPU,
                null, (s, w) -> {
                });
        assertThat((double) out.summary().get("sparsity")).isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.01));
        long zeros = 0;
        long total = 0;
        for (String layer : List.of("conv1", "conv2", "fc1", "fc2", "fc3")) {
            for (float v : out.model().weights().get(layer, Weights.WEIGHT).data()) {
                zeros += v == 0f ? 1 : 0;
                total++;
            }
        }
        assertThat((double) zeros / total).isGreaterThanOrEqualTo(0.74);
        assertThat(accuracyAsStored(out.model())).isGreaterThan(trainedAccuracy - 0.1);
        int dense = PackedWeights.dense(trained.weights()).toBytes().length;
        assertThat((double) dense / out.model().packed().toBytes().length).isGreaterThan(2.5);
    }

    @Test
    void codebookLayersUseAtMostTwoToTheBitsValuesAndFineTuneTheCentroids() throws Exception {
        CodebookRecipe.Outcome out = CodebookRecipe.run(trained, 3, Map.of(), data, config(1, 0.005), CPU,
                new Distillation(NET, trained.weights(), 4, 0.5), (s, w) -> {
                });
        Tensor fc1 = out.model().weights().get("fc1", Weights.WEIGHT);
        Set<Float> distinct = new HashSet<>();
        for (float v : fc1.data()) {
            distinct.add(v);
        }
        assertThat(distinct.size()).isLessThanOrEqualTo(8);
        // Centroids moved away from their k-means starting points while fine-tuning.
        float[] start = KMeansCodebook.fit(trained.weights().get("fc1", Weights.WEIGHT).data(), 3, 30).centroids();
        float[] now = ((EncodedTensor.Codebook) out.model().packed().tensors().get("fc1.weight")).centroids();
        assertThat(now).isNotEqualTo(start);
        assertThat(accuracyAsStored(out.model())).isGreaterThan(trainedAccuracy - 0.05);
    }

    @Test
    void aStepWhoseGradientsAreNotFiniteIsSkippedNotApplied() throws Exception {
        // A transform that poisons the forward pass of exactly one step (update 5) with NaN.
        int[] update = {-1};
        dev.pocketmesh.nn.build.LayerTransform poison = new dev.pocketmesh.nn.build.LayerTransform() {
            @Override
            public NDArray weight(ParameterStore store, NDArray weight, boolean training) {
                return training && update[0] == 5 ? weight.mul(Float.NaN) : weight;
            }

            @Override
            public EncodedTensor encode(Tensor weight) {
                return new EncodedTensor.Dense(weight);
            }
        };
        List<ModelTrainer.EpochStats> epochs = new ArrayList<>();
        ModelTrainer.Result r = ModelTrainer.train(NET, trained.weights(), data.train(), data.validation(),
                config(1, 0.005), CPU, (s, w) -> epochs.add(s), 0,
                new ModelTrainer.Extras(Map.of("fc2", poison), (network, u, total) -> update[0] = u, null));
        assertThat(epochs.get(0).skippedSteps()).isEqualTo(1);
        assertThat(epochs.get(0).trainLoss()).isFinite();
        for (Tensor t : r.weights().asMap().values()) {
            for (float v : t.data()) {
                assertThat(v).isFinite();
            }
        }
        assertThat(r.finalValidationAccuracy()).isGreaterThan(trainedAccuracy - 0.05);
    }
}
