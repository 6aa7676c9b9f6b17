package dev.pocketmesh.cli.commands;

import dev.pocketmesh.cli.bench.MeshOverheadBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks: each writes a JSON result and a Markdown table.",
        subcommands = {BenchCommand.MeshOverhead.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "mesh-overhead", description = "Zero-sleep simulated trials through the whole mesh on a fresh "
            + "embedded broker: time from proposal to result per trial, and trials per second.")
    static final class MeshOverhead implements Callable<Integer> {
        @Option(names = "--trials", defaultValue = "300", description = "Measured trials (default ${DEFAULT-VALUE}).")
        int trials;

        @Option(names = "--warmup", defaultValue = "100", description = "Warm-up trials, not measured (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--workers", defaultValue = "2", description = "Trial workers (default ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--parallelism", description = "Trials in flight (default: one per worker, so no trial queues).")
        Integer parallelism;

        @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() throws Exception {
            MeshOverheadBenchmark.Result result = new MeshOverheadBenchmark(trials, warmup, workers,
                    parallelism == null ? workers : parallelism, System.out::println).run();
            result.write(out);
            System.out.println();
            System.out.println(result.markdown());
            System.out.println("written: " + out.resolve("mesh-overhead.json") + ", " + out.resolve("mesh-overhead.md"));
            return result.medianMs() < MeshOverheadBenchmark.TARGET_MEDIAN_MS ? 0 : 3;
        }
    }
}
