package dev.pocketmesh.nn.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.onnx.OnnxExport;
import dev.pocketmesh.nn.onnx.OnnxRuntimeModel;
import dev.pocketmesh.nn.prune.RandomWeights;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyModelTest {

    @Test
    void aNetworkSplitsIntoThePiecesOnnxRuntimeFuses() {
        // ResNet-20: the stem and 18 block convs each with their batch norm (and ReLU where one follows), 9 adds and
        // the 9 ReLUs after them, 2 projection shortcuts, global pool, flatten, linear.
        List<LatencyModel.Piece> pieces = LatencyModel.pieces(ModelZoo.resnetCifar(20, 3, 32, 32, 10));
        assertThat(pieces).hasSize(19 + 9 + 9 + 2 + 3);
        assertThat(pieces.get(0).key()).contains("Conv2d").contains("BatchNorm").contains("Relu");
        assertThat(pieces.get(0).head()).isNotNull();
        // Equal configurations share a key, so the table holds each once.
        assertThat(pieces.stream().map(LatencyModel.Piece::key).distinct().count()).isLessThan(pieces.size());
    }

    @Test
    void aStoredTableAloneGivesTheEstimateWithoutTimingAndNoneWhileAPieceIsMissing() {
        NetSpec lenet = ModelZoo.lenet5();
        // A device whose pieces cost their FLOPs: every key an estimate reads, nothing timed.
        Map<String, Double> table = new HashMap<>();
        LatencyModel.pieceNetworks(lenet).forEach((key, net) -> table.put(key, 0.01 + CostModel.flops(net) / 1e6));
        double estimate = LatencyModel.estimateFromTable(table, lenet).orElseThrow();
        assertThat(estimate).isGreaterThan(0.01);
        // The same sum a timing model computes from the same table, and that model found nothing to time.
        LatencyModel model = new LatencyModel(table, 1, 20, 100, 1);
        assertThat(model.estimateMs(lenet)).isEqualTo(estimate);
        assertThat(model.table()).isEqualTo(table);

        String conv = LatencyModel.pieces(lenet).get(0).key();
        table.remove(conv);
        assertThat(LatencyModel.estimateFromTable(table, lenet)).isEmpty();
        assertThat(table).doesNotContainKey(conv); // read-only: the missing piece was not timed
    }

    @Test
    void theEstimateIsNearTheMeasuredLatencyAndTheTableIsReused() {
        NetSpec lenet = ModelZoo.lenet5();
        LatencyModel model = new LatencyModel(Map.of(), 1, 20, 100, 1);
        double estimate = model.estimateMs(lenet);
        double measured;
        try (OnnxRuntimeModel loaded = OnnxRuntimeModel.load(OnnxExport.fp32(lenet, RandomWeights.of(lenet, 1)), lenet,
                1)) {
            measured = LatencyMeter.measure(List.of(loaded), 20, 100, 1).get(0).medianMs();
        }
        // A loose band: this only shows the sum of pieces is of the network's order (the bench reports the error).
        assertThat(estimate).isBetween(measured / 3, measured * 3);

        // A second estimate reads the table (no new pieces), and a table handed over gives the same estimate.
        Map<String, Double> table = model.table();
        assertThat(model.estimateMs(lenet)).isEqualTo(estimate);
        assertThat(model.table()).hasSameSizeAs(table);
        assertThat(new LatencyModel(table, 1, 20, 100, 1).estimateMs(lenet)).isEqualTo(estimate);
    }
}
