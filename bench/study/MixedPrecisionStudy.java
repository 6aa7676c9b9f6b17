import dev.pocketmesh.cli.bench.DeployBenchmark;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.WeightLayers;
import dev.pocketmesh.nn.compress.EncodedTensor;
import dev.pocketmesh.nn.compress.PackedWeights;
import dev.pocketmesh.nn.data.DatasetLoader;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.measure.LatencyMeter;
import dev.pocketmesh.nn.onnx.OnnxRuntimeModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Issue #6 study: does keeping whole ResNet-20 stages float inside the int8 graph make it faster on a CPU whose int8
 * kernels lose to fp32 at few channels (AVX2, no VNNI)? ResNet-20 and the same net pruned 2x (bench deploy's uniform
 * L1 pruning), seeded random weights, 7-bit int8 export as bench deploy writes it; then the int8 models again with
 * the weights of every conv of the chosen stages stored float (stage 1 includes the stem conv). All 18 models are
 * timed interleaved in one LatencyMeter run (batch 1, 1 thread), speedups over the fp32 baseline.
 *
 * <pre>
 * ./mvnw -B -ntp -pl cli -am package -DskipTests
 * java -cp "cli/target/pocketmesh-cli.jar:cli/target/lib/*" bench/study/MixedPrecisionStudy.java [runs] [-Dprofile]
 * </pre>
 * With {@code -Dprofile=1} it also prints ONNX Runtime's profile by operator of the all-int8 and all-float-stage
 * models.
 */
public class MixedPrecisionStudy {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        var data = DatasetLoader.load(new JobSpec.Dataset("idx", "/usr/share/datasets/fashion-mnist", 2000), 7);
        NetSpec net = ModelZoo.byName("resnet20", 1, 28, 28, 10);
        ModelFiles fp32 = new ModelFiles(net, RandomWeights.of(net, 7));
        ModelFiles prunedFp32 = DeployBenchmark.pruned2x(fp32, 7);

        List<String> names = new ArrayList<>(List.of("fp32", "pruned fp32"));
        List<ModelFiles> models = new ArrayList<>(List.of(fp32, prunedFp32));
        List<Set<Integer>> subsets = List.of(Set.of(), Set.of(1), Set.of(2), Set.of(3), Set.of(1, 2), Set.of(2, 3),
                Set.of(1, 3), Set.of(1, 2, 3));
        for (var base : new LinkedHashMap<>(Map.of("int8", fp32, "pruned int8", prunedFp32)).entrySet()) {
            ModelFiles int8 = DeployBenchmark.int8(base.getValue(), data, 7);
            for (Set<Integer> stages : subsets) {
                names.add(base.getKey() + ", float stages " + new TreeSet<>(stages));
                models.add(floatStages(int8, stages));
            }
        }
        List<OnnxRuntimeModel> loaded = new ArrayList<>();
        for (ModelFiles m : models) {
            loaded.add(OnnxRuntimeModel.load(m.onnx(), m.spec(), 1));
        }
        var latency = LatencyMeter.measure(loaded, 50, runs, 7);
        System.out.println("| model | median ms | p90 ms | speedup over fp32 |\n|---|---:|---:|---:|");
        for (int i = 0; i < models.size(); i++) {
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.2fx |%n", names.get(i), latency.get(i).medianMs(),
                    latency.get(i).p90Ms(), latency.get(0).medianMs() / latency.get(i).medianMs());
        }
        loaded.forEach(OnnxRuntimeModel::close);
        if (System.getProperty("profile") != null) {
            float[] image = Arrays.copyOfRange(data.train().pixels(), 0, data.train().imageElements());
            for (int i : new int[] {2, 9, 10, 17}) {
                var ops = OnnxRuntimeModel.operatorMicros(List.of(models.get(i).onnx()), List.of(models.get(i).spec()),
                        1, image, 200);
                System.out.println(names.get(i) + ": " + ops.get(0));
            }
        }
    }

    /** The quantized model with the weights of every conv in {@code stages} stored float (decoded). */
    static ModelFiles floatStages(ModelFiles quantized, Set<Integer> stages) {
        Map<String, EncodedTensor> tensors = new LinkedHashMap<>(quantized.packed().tensors());
        for (String layer : WeightLayers.names(quantized.spec())) {
            boolean inStage = stages.stream().anyMatch(s -> layer.startsWith("s" + s + ".")
                    || (s == 1 && layer.equals("conv1")));
            if (inStage) {
                String key = Weights.key(layer, Weights.WEIGHT);
                tensors.put(key, new EncodedTensor.Dense(tensors.get(key).decode()));
            }
        }
        return ModelFiles.packed(quantized.spec(), new PackedWeights(tensors, quantized.packed().activations(),
                quantized.packed().outputs()));
    }
}
