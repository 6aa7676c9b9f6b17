package dev.pocketmesh.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.learn.ModelFiles;
import dev.pocketmesh.nn.tensor.Weights;
import dev.pocketmesh.nn.train.Distillation;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageRunTest {
    private static final NetSpec ORIGINAL = ModelZoo.byName("lenet5", 1, 28, 28, 10);
    private static final NetSpec PRUNED = ModelZoo.byName("mlp", 1, 28, 28, 10);

    @Test
    void aLaterStageDistilsFromTheModelItStartsFromWithTheJobsTemperatureAndWeight() {
        Weights prunedWeights = new Weights(Map.of());
        ModelLearner.StageRun run = new ModelLearner.StageRun(null, new Device[] {Device.cpu()}, null,
                new Distillation(ORIGINAL, new Weights(Map.of()), 4, 0.7), null);

        ModelLearner.StageRun next = run.teachingFrom(new ModelFiles(PRUNED, prunedWeights));

        assertThat(next.distillation().teacher()).isSameAs(PRUNED);
        assertThat(next.distillation().teacherWeights()).isSameAs(prunedWeights);
        assertThat(next.distillation().temperature()).isEqualTo(4);
        assertThat(next.distillation().weight()).isEqualTo(0.7);
        assertThat(run.distillation().teacher()).isSameAs(ORIGINAL);
    }

    @Test
    void aRunWithoutDistillationStaysWithout() {
        ModelLearner.StageRun run = new ModelLearner.StageRun(null, new Device[] {Device.cpu()}, null, null, null);

        assertThat(run.teachingFrom(new ModelFiles(PRUNED, new Weights(Map.of())))).isSameAs(run);
    }
}
