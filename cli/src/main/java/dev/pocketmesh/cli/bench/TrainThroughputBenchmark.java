package dev.pocketmesh.cli.bench;

import ai.djl.Device;
import dev.pocketmesh.model.CostModel;
import dev.pocketmesh.model.ModelZoo;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.engine.Engines;
import dev.pocketmesh.nn.train.ModelTrainer;
import dev.pocketmesh.nn.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Training throughput of one network on this CPU (images per second through forward, backward and an SGD step,
 * batch {@code batchSize}) at each thread count, measured one after another in one process after a warm-up
 * pass, so the rows compare. Also reports the achieved compute rate (3 x forward FLOPs per image: the forward
 * pass plus a backward pass of about twice its cost).
 */
public final class TrainThroughputBenchmark {

    public record Row(String model, int threads, int batchSize, int images, double imagesPerSecond,
            double trainingGflopsPerSecond) {
        String markdownRow() {
            return String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f | %.1f |", model, threads, batchSize, images,
                    imagesPerSecond, trainingGflopsPerSecond);
        }
    }

    public record Report(String machine, String input, List<Row> rows) implements BenchReport {
        @Override
        public String benchmark() {
            return "train-throughput";
        }

        @Override
        public String markdown() {
            StringBuilder md = new StringBuilder("| model | threads | batch | images timed | images/s | training GFLOP/s |\n"
                    + "|---|---:|---:|---:|---:|---:|\n");
            rows.forEach(r -> md.append(r.markdownRow()).append('\n'));
            md.append(String.format(Locale.ROOT, "%nMachine: %s. Input: %s. DJL 0.35 + PyTorch 2.7.1 (CPU).%n",
                    machine, input));
            return md.toString();
        }

    }

    public static Report run(String modelName, ImageSet data, List<Integer> threadCounts, int batchSize, int images,
            Consumer<String> log) throws Exception {
        var s = data.shape();
        NetSpec net = ModelZoo.byName(modelName, s.channels(), s.height(), s.width(), data.numClasses());
        double flopsPerImage = CostModel.of(net).flops();
        ImageSet timed = data.head(Math.min(images, data.size()));
        ImageSet warmup = data.head(Math.min(2 * batchSize, data.size()));
        Device[] cpu = {Device.cpu()};
        List<Row> rows = new ArrayList<>();
        for (int threads : threadCounts) {
            Engines.setThreads(threads);
            TrainingConfig config = new TrainingConfig(1, batchSize, 0.05, "sgd", "constant", 5e-4, 0.9, 1);
            ModelTrainer.train(net, null, warmup, null, config, cpu, (st, w) -> { });
            ModelTrainer.Result result = ModelTrainer.train(net, null, timed, null, config, cpu, (st, w) -> { });
            Row row = new Row(modelName, threads, batchSize, timed.size(), result.imagesPerSecond(),
                    result.imagesPerSecond() * 3 * flopsPerImage / 1e9);
            log.accept(row.markdownRow());
            rows.add(row);
        }
        return new Report(BenchMachine.describe(), s.channels() + "x" + s.height() + "x" + s.width() + ", "
                + data.numClasses() + " classes", rows);
    }
}
