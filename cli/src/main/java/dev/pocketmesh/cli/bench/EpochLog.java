package dev.pocketmesh.cli.bench;

import dev.pocketmesh.nn.train.ModelTrainer;
import java.util.Locale;
import java.util.function.Consumer;

/** The line a benchmark prints after every training epoch. */
final class EpochLog {
    private EpochLog() {
    }

    static ModelTrainer.Listener to(Consumer<String> log, String what) {
        return (stats, weights) -> log.accept(String.format(Locale.ROOT,
                "%s: epoch %d/%d loss %.4f train %.2f %% val %.2f %% (%.0f images/s, %.1f s)", what, stats.epoch(),
                stats.epochs(), stats.trainLoss(), stats.trainAccuracy() * 100, stats.validationAccuracy() * 100,
                stats.imagesPerSecond(), stats.millis() / 1000.0));
    }
}
