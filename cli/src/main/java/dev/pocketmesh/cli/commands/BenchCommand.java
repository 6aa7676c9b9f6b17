package dev.pocketmesh.cli.commands;

import dev.pocketmesh.cli.bench.MeshOverheadBenchmark;
import java.nio.file.Path;
import java.util.List;
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

        @Option(names = "--parallelism", split = ",", defaultValue = "1,2",
                description = "Trials in flight, one measured job each (default: ${DEFAULT-VALUE}; the target applies to 1).")
        List<Integer> parallelism;

        @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() throws Exception {
            MeshOverheadBenchmark.Report report = new MeshOverheadBenchmark(trials, warmup, workers, parallelism,
                    System.out::println).run();
            report.write(out);
            System.out.println();
            System.out.println(report.markdown());
            System.out.println("written: " + out.resolve("mesh-overhead.json") + ", " + out.resolve("mesh-overhead.md"));
            return report.targetMet() ? 0 : 3;
        }
    }
}
