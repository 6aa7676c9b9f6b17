package dev.pocketmesh.nn.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.json.Json;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.prune.RandomWeights;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link OnnxRuntimeModel#operatorMicros}: ONNX Runtime's profiler, summed by operator. */
class OperatorProfileTest {
    @Test
    void kernelEventsAreSummedByOperatorPerRunLargestFirst() {
        String events = """
                [{"cat":"Session","name":"model_run","dur":500},
                 {"cat":"Node","name":"conv1_kernel_time","dur":300,"args":{"op_name":"Conv"}},
                 {"cat":"Node","name":"conv1_fence_before","dur":7,"args":{"op_name":"Conv"}},
                 {"cat":"Node","name":"conv2_kernel_time","dur":100,"args":{"op_name":"Conv"}},
                 {"cat":"Node","name":"fc_kernel_time","dur":600,"args":{"op_name":"Gemm"}}]""";
        Map<String, Double> micros = OnnxRuntimeModel.perOperator(Json.tree(events), 2);
        assertThat(List.copyOf(micros.keySet())).containsExactly("Gemm", "Conv");
        assertThat(micros).containsEntry("Gemm", 300.0).containsEntry("Conv", 200.0);
    }

    @Test
    void aRealProfileNamesTheConvolutionsOfLenet() {
        NetSpec net = ModelZoo.byName("lenet5", 1, 28, 28, 10);
        ModelFiles model = new ModelFiles(net, RandomWeights.of(net, 1));
        List<Map<String, Double>> profiles = OnnxRuntimeModel.operatorMicros(List.of(model.onnx(), model.onnx()),
                List.of(net, net), 1, new float[28 * 28], 20);
        assertThat(profiles).hasSize(2);
        Map<String, Double> micros = profiles.get(0);
        assertThat(profiles.get(1).keySet()).isEqualTo(micros.keySet());
        // ONNX Runtime may fuse Conv + Relu into FusedConv; either way a convolution kernel ran and took time.
        assertThat(micros.keySet()).anyMatch(op -> op.contains("Conv"));
        assertThat(micros.values()).allMatch(us -> us >= 0).anyMatch(us -> us > 0);
    }
}
