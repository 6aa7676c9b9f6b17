package dev.pocketmesh.cli.commands;

import dev.pocketmesh.cli.bench.BenchReport;
import dev.pocketmesh.cli.bench.DeployBenchmark;
import dev.pocketmesh.cli.bench.HpoFunctionsBenchmark;
import dev.pocketmesh.cli.bench.HpoPruneBenchmark;
import dev.pocketmesh.cli.bench.LearnersBenchmark;
import dev.pocketmesh.cli.bench.MeshOverheadBenchmark;
import dev.pocketmesh.cli.bench.PruneFashionBenchmark;
import dev.pocketmesh.cli.bench.ScaleBenchmark;
import dev.pocketmesh.cli.bench.TrainThroughputBenchmark;
import dev.pocketmesh.contracts.Topics;
import dev.pocketmesh.nn.data.DataSplits;
import dev.pocketmesh.nn.data.DatasetLoader;
import dev.pocketmesh.nn.prune.ChannelCriterion;
import dev.pocketmesh.search.Optimizers;
import dev.pocketmesh.spec.JobSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks: each writes a JSON result and a Markdown table.",
        subcommands = {BenchCommand.MeshOverhead.class, BenchCommand.PruneFashion.class,
                BenchCommand.TrainThroughput.class, BenchCommand.HpoFunctions.class, BenchCommand.HpoPrune.class,
                BenchCommand.Learners.class, BenchCommand.Deploy.class, BenchCommand.Scale.class})
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
            publish(report, out);
            return report.targetMet() ? 0 : 3;
        }
    }

    @Command(name = "scale", description = "Trial throughput against the number of trial workers (lightweight "
            + "in-process workers following the worker's protocol: group, lease in Redis, result message) on a fresh "
            + "embedded broker; efficiency against linear; the run fails if a trial is lost or doubled.")
    static final class Scale implements Callable<Integer> {
        @Option(names = "--workers", split = ",", defaultValue = "1,2,4,8,16,32",
                description = "Worker counts, one level each (default ${DEFAULT-VALUE}).")
        List<Integer> workers;

        @Option(names = "--trials-per-worker", defaultValue = "40",
                description = "Trials per worker at each level (default ${DEFAULT-VALUE}).")
        int trialsPerWorker;

        @Option(names = "--min-trials", defaultValue = "100", description = "Fewest trials of a level (default "
                + "${DEFAULT-VALUE}); a level's count is rounded up to a multiple of the partitions.")
        int minTrials;

        @Option(names = "--trial-ms", defaultValue = "200", description = "Simulated training time per trial (default ${DEFAULT-VALUE}).")
        int trialMs;

        @Option(names = "--partitions", defaultValue = "" + Topics.TRIAL_PARTITIONS,
                description = "Partitions of pocketmesh.trials.proposed (default ${DEFAULT-VALUE}, as the mesh creates).")
        int partitions;

        @Option(names = "--join-one-by-one", description = "Start each level's workers one at a time, each joining a "
                + "settled group as an autoscaler adds them (Kafka's sticky assignor then leaves blocks of partitions), "
                + "instead of all at once.")
        boolean joinOneByOne;

        @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() throws Exception {
            ScaleBenchmark.Report report = new ScaleBenchmark(workers, trialsPerWorker, minTrials, trialMs, partitions,
                    joinOneByOne, System.out::println).run();
            publish(report, out);
            return report.targetMet() ? 0 : 3;
        }
    }

    /** Writes a benchmark's files and prints its table and where the files are. */
    static void publish(BenchReport report, Path out) throws java.io.IOException {
        Path[] files = report.write(out);
        System.out.println();
        System.out.println(report.markdown());
        System.out.println("written: " + files[0] + ", " + files[1]);
    }

    /** Loads Fashion-MNIST, or says how to install it. */
    static DataSplits fashion(Path path, Integer limit, long seed) {
        if (!java.nio.file.Files.isDirectory(path)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new BenchCommand()),
                    "--data: no Fashion-MNIST at " + path + " (install it with: apt-get install -y dataset-fashion-mnist)");
        }
        return DatasetLoader.load(new JobSpec.Dataset("idx", path.toString(), limit), seed);
    }

    /** What the pruning benchmarks share: the target, the training settings, the data, the seed, where results go. */
    static final class PruningOptions {
        @Option(names = "--flops", defaultValue = "2", description = "FLOPs reduction to prune to (default ${DEFAULT-VALUE}).")
        double flops;

        @Option(names = "--criterion", defaultValue = "l1-norm", description = "l1-norm, l2-norm, bn-scale or reconstruction (default ${DEFAULT-VALUE}).")
        String criterion;

        @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--lr", defaultValue = "0.05", description = "Baseline learning rate (default ${DEFAULT-VALUE}).")
        double learningRate;

        @Option(names = "--fine-tune-lr", defaultValue = "0.01", description = "Fine-tuning learning rate (default ${DEFAULT-VALUE}).")
        double fineTuneLearningRate;

        @Option(names = "--channel-multiple", defaultValue = "8", description = "Kept channels are multiples of this (1: exact counts; default ${DEFAULT-VALUE}).")
        int channelMultiple;

        @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--seed", defaultValue = "7", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;

        ChannelCriterion criterion() {
            return ChannelCriterion.fromName(criterion);
        }
    }

    @Command(name = "learners", description = "Quantization (QAT, PTQ, mixed precision), sparsification, codebooks "
            + "and a prune + int8 pipeline on full Fashion-MNIST (CPU, in process), each with and without distillation: "
            + "test top-1 as stored and bytes against the baseline, beside issue #5's targets.")
    static final class Learners implements Callable<Integer> {
        @Mixin
        PruningOptions common;

        @Option(names = "--models", split = ",", defaultValue = "lenet5,resnet20", description = "Zoo networks (default ${DEFAULT-VALUE}).")
        List<String> models;

        @Option(names = "--methods", split = ",", defaultValue = "qat8,ptq8,mixed4,sparse75,sparse90,codebook4,prune2x-int8,fallback",
                description = "Methods (default ${DEFAULT-VALUE}; also finetune: the baseline fine-tuned, uncompressed, as a control).")
        List<String> methods;

        @Option(names = "--baseline-epochs", defaultValue = "8", description = "Baseline training epochs (default ${DEFAULT-VALUE}).")
        int baselineEpochs;

        @Option(names = "--fine-tune-epochs", defaultValue = "2", description = "Fine-tuning epochs per method (default ${DEFAULT-VALUE}).")
        int fineTuneEpochs;

        @Option(names = "--method-epochs", split = ",", description = "Fine-tuning epochs of some methods, e.g. "
                + "sparse75=4,sparse90=4 (the others: --fine-tune-epochs).")
        Map<String, Integer> methodEpochs = new LinkedHashMap<>();

        @Option(names = "--temperature", defaultValue = "4", description = "Distillation temperature (default ${DEFAULT-VALUE}).")
        double temperature;

        @Option(names = "--distillation-weight", defaultValue = "0.7", description = "Soft-target loss share (default ${DEFAULT-VALUE}).")
        double distillationWeight;

        @Option(names = "--baseline-dir", description = "Keep each trained baseline here and reuse it on the next run "
                + "(default: train every run, keep nothing).")
        Path baselineDir;

        @Option(names = "--limit", description = "Use only this many training images (quick runs; default: all).")
        Integer limit;

        @Option(names = "--distillation", defaultValue = "both", description = "Rows with and without distillation "
                + "(both), or only one of them (on, off) to rerun part of a table (default ${DEFAULT-VALUE}).")
        LearnersBenchmark.Distilled distillation;

        @Option(names = "--fallback-layers", defaultValue = "8", description = "The fallback front keeps up to this many "
                + "of the most sensitive layers in float, one more per point (default ${DEFAULT-VALUE}).")
        int fallbackLayers;

        @Override
        public Integer call() throws Exception {
            LearnersBenchmark.Settings settings = new LearnersBenchmark.Settings(models, methods, baselineEpochs,
                    fineTuneEpochs, methodEpochs, common.batchSize, common.learningRate, common.fineTuneLearningRate,
                    temperature, distillationWeight, common.channelMultiple, baselineDir, limit, common.seed, distillation,
                    fallbackLayers);
            LearnersBenchmark.Report report = new LearnersBenchmark(settings, System.out::println)
                    .run(fashion(common.data, limit, common.seed), partial -> {
                        try {
                            partial.write(common.out);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            publish(report, common.out);
            return report.targetsMet() ? 0 : 3;
        }
    }

    @Command(name = "deploy", description = "Batch-1 latency in ONNX Runtime of the fp32 baseline, pruned 2x, int8 "
            + "(QDQ) and pruned + int8 exports, timed interleaved in one run, beside issue #6's targets.")
    static final class Deploy implements Callable<Integer> {
        @Option(names = "--models", split = ",", defaultValue = "resnet20,mobilenet-v1-0.5",
                description = "Zoo networks, or mobilenet-v1-<width> (default ${DEFAULT-VALUE}).")
        List<String> models;

        @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads (default ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--warmup", defaultValue = "50", description = "Warm-up runs per model (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--runs", defaultValue = "500", description = "Timed runs per model (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist",
                description = "Fashion-MNIST directory (calibration images; default ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--seed", defaultValue = "7", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() throws Exception {
            DeployBenchmark.Report report = new DeployBenchmark(new DeployBenchmark.Settings(models, threads, warmup,
                    runs, seed), System.out::println).run(fashion(data, 2048, seed));
            publish(report, out);
            return report.targetsMet() ? 0 : 3;
        }
    }

    @Command(name = "prune-fashion", description = "Channel pruning on full Fashion-MNIST (CPU, in process): baseline "
            + "vs pruned at --flops x fewer FLOPs, accuracy on the test split, latency of both exported to ONNX in ONNX Runtime, "
            + "timed in one run.")
    static final class PruneFashion implements Callable<Integer> {
        @Mixin
        PruningOptions pruning;

        @Option(names = "--models", split = ",", defaultValue = "lenet5,resnet20", description = "Zoo networks (default ${DEFAULT-VALUE}).")
        List<String> models;

        @Option(names = "--baseline-epochs", defaultValue = "8", description = "Baseline training epochs (default ${DEFAULT-VALUE}).")
        int baselineEpochs;

        @Option(names = "--fine-tune-epochs", defaultValue = "4", description = "Fine-tuning epochs after pruning (default ${DEFAULT-VALUE}).")
        int fineTuneEpochs;

        @Option(names = "--latency-threads", defaultValue = "1", description = "Inference threads when timing (default ${DEFAULT-VALUE}).")
        int latencyThreads;

        @Option(names = "--latency-runs", defaultValue = "200", description = "Timed batch-1 runs per model (default ${DEFAULT-VALUE}).")
        int latencyRuns;

        @Option(names = "--latency-batch", defaultValue = "32", description = "The larger batch also timed (default ${DEFAULT-VALUE}).")
        int latencyBatch;

        @Option(names = "--limit", description = "Use only this many training images (quick runs; default: all).")
        Integer limit;

        @Override
        public Integer call() throws Exception {
            PruneFashionBenchmark.Settings settings = new PruneFashionBenchmark.Settings(models, pruning.flops,
                    baselineEpochs, fineTuneEpochs, pruning.batchSize, pruning.learningRate,
                    pruning.fineTuneLearningRate, pruning.criterion(), pruning.channelMultiple, latencyThreads,
                    latencyRuns, latencyBatch, limit, pruning.seed);
            PruneFashionBenchmark.Report report = new PruneFashionBenchmark(settings, System.out::println)
                    .run(fashion(pruning.data, limit, pruning.seed));
            publish(report, pruning.out);
            return report.targetsMet() ? 0 : 3;
        }
    }

    @Command(name = "hpo-prune", description = "Channel pruning searched per layer vs one uniform ratio, at equal "
            + "trial budget (CPU, in process, Fashion-MNIST): each optimizer's best and uniform fine-tuned alike and "
            + "measured on the 10k test images.")
    static final class HpoPrune implements Callable<Integer> {
        @Mixin
        PruningOptions pruning;

        @Option(names = "--model", defaultValue = "resnet20", description = "Zoo network (default ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--optimizers", split = ",", defaultValue = "tpe,gp,ddpg",
                description = "Optimizers searching the ratios (default ${DEFAULT-VALUE}).")
        List<String> optimizers;

        @Option(names = "--trials", defaultValue = "24", description = "Trials per optimizer (default ${DEFAULT-VALUE}).")
        int trials;

        @Option(names = "--limit", defaultValue = "10000", description = "Training images searched on (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--baseline-epochs", defaultValue = "4", description = "Baseline training epochs (default ${DEFAULT-VALUE}).")
        int baselineEpochs;

        @Option(names = "--search-epochs", defaultValue = "1", description = "Fine-tune epochs per search trial (default ${DEFAULT-VALUE}).")
        int searchEpochs;

        @Option(names = "--final-epochs", defaultValue = "3", description = "Fine-tune epochs of each contender's final model (default ${DEFAULT-VALUE}).")
        int finalEpochs;

        @Option(names = "--min-ratio", defaultValue = "0.2", description = "Smallest preserve ratio searched (default ${DEFAULT-VALUE}).")
        double minRatio;

        @Override
        public Integer call() throws Exception {
            HpoPruneBenchmark.Settings settings = new HpoPruneBenchmark.Settings(model, optimizers, trials,
                    pruning.flops, limit, baselineEpochs, searchEpochs, finalEpochs, pruning.batchSize,
                    pruning.learningRate, pruning.fineTuneLearningRate, minRatio, pruning.channelMultiple,
                    pruning.criterion(), pruning.seed);
            HpoPruneBenchmark.Report report = new HpoPruneBenchmark(settings, System.out::println)
                    .run(fashion(pruning.data, limit, pruning.seed), fashion(pruning.data, null, pruning.seed),
                            pruning.data.toString());
            publish(report, pruning.out);
            return report.targetMet() ? 0 : 3;
        }
    }

    @Command(name = "train-throughput", description = "Training images per second of a zoo network on this CPU, at "
            + "each thread count, on Fashion-MNIST images.")
    static final class TrainThroughput implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "resnet20", description = "Zoo network (default ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Thread counts (default ${DEFAULT-VALUE}).")
        List<Integer> threads;

        @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--images", defaultValue = "3840", description = "Images timed per thread count (default ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() throws Exception {
            TrainThroughputBenchmark.Report report = TrainThroughputBenchmark.run(model,
                    fashion(data, images, 1).train(), threads, batchSize, images, System.out::println);
            publish(report, out);
            return 0;
        }
    }

    @Command(name = "hpo-functions", description = "The optimizers on Branin, Hartmann-6 and Rosenbrock-4: best-found "
            + "regret at each budget (median and quartiles over seeds) and each optimizer's own time per suggestion.")
    static final class HpoFunctions implements Callable<Integer> {
        @Option(names = "--optimizers", split = ",", defaultValue = "random,sobol,tpe,gp",
                description = "Optimizer names as a job names them (default ${DEFAULT-VALUE}).")
        List<String> optimizers;

        @Option(names = "--budgets", split = ",", defaultValue = "50,100",
                description = "Trial counts at which regret is reported (default ${DEFAULT-VALUE}).")
        List<Integer> budgets;

        @Option(names = "--seeds", defaultValue = "10", description = "Studies per function and optimizer (default ${DEFAULT-VALUE}).")
        int seeds;

        @Option(names = "--long-trials", defaultValue = "200",
                description = "Trials of the Hartmann-6 study timed near its end (default ${DEFAULT-VALUE}).")
        int longTrials;

        @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() throws Exception {
            HpoFunctionsBenchmark.Settings settings = new HpoFunctionsBenchmark.Settings(optimizers, budgets, seeds,
                    longTrials);
            HpoFunctionsBenchmark.Report report = new HpoFunctionsBenchmark(settings,
                    Optimizers::create, System.out::println).run();
            publish(report, out);
            return report.targetsMet() ? 0 : 3;
        }
    }
}
