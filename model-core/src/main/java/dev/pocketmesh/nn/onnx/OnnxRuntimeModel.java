package dev.pocketmesh.nn.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.model.Shape;
import dev.pocketmesh.nn.data.ImageSet;
import dev.pocketmesh.nn.measure.InferenceModel;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exported model in ONNX Runtime on the CPU: the runtime a deployed model runs in, so the latency measured here
 * is the latency users get. Graph optimisations are on (Conv+BatchNorm folding, Conv+Relu fusion); the
 * intra-op thread count is pinned and inter-op parallelism is off, so a measurement uses exactly that many cores.
 */
public final class OnnxRuntimeModel implements InferenceModel {
    private final NetSpec spec;
    private final OrtEnvironment env;
    private final OrtSession session;

    private OnnxRuntimeModel(NetSpec spec, OrtEnvironment env, OrtSession session) {
        this.spec = spec;
        this.env = env;
        this.session = session;
    }

    /**
     * @param onnx    the serialized model, as {@link OnnxExport} writes it
     * @param spec    the network it was exported from (input shape, class count)
     * @param threads intra-op threads, at least 1
     */
    public static OnnxRuntimeModel load(byte[] onnx, NetSpec spec, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = sessionOptions(threads)) {
            return new OnnxRuntimeModel(spec, env, env.createSession(onnx, options));
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime refused the model of " + spec.name() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Pinned intra-op threads, no inter-op parallelism, every graph optimisation. */
    private static OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }

    @Override
    public NetSpec spec() {
        return spec;
    }

    @Override
    public float[] logits(ImageSet set, int from, int to) {
        FloatBuffer images = FloatBuffer.wrap(set.pixels(), set.offset(from), (to - from) * set.imageElements());
        return run(images, to - from);
    }

    /**
     * The input and the output buffer are allocated once, outside the timed call (the output is pinned), so a
     * run times ONNX Runtime's inference and the read of the logits, not Java allocations. What remains beyond the
     * kernels is the per-call cost every Java deployment pays: about 2 µs on the bench machine, measured as an
     * identity graph (bench/results/lenet-latency-study.md); letting the runtime allocate the output adds ~4-6 µs.
     */
    @Override
    public TimedRun timed(float[] images, int batch) {
        try {
            FloatBuffer in = ByteBuffer.allocateDirect(images.length * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer().put(images);
            FloatBuffer out = ByteBuffer.allocateDirect(batch * spec.numClasses() * Float.BYTES)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            OnnxTensor input = OnnxTensor.createTensor(env, in.rewind(), inputShape(spec, batch));
            OnnxTensor output = OnnxTensor.createTensor(env, out, new long[] {batch, spec.numClasses()});
            Map<String, OnnxTensor> inputs = Map.of(OnnxExport.INPUT, input);
            Map<String, OnnxTensor> outputs = Map.of(OnnxExport.OUTPUT, output);
            return new TimedRun() {
                @Override
                public void run() {
                    try (OrtSession.Result ignored = session.run(inputs, outputs)) {
                        out.get(0);
                    } catch (OrtException e) {
                        throw new IllegalStateException("ONNX Runtime failed on " + spec.name() + ": "
                                + e.getMessage(), e);
                    }
                }

                @Override
                public void close() {
                    input.close();
                    output.close();
                }
            };
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create the tensors to time " + spec.name(), e);
        }
    }

    /**
     * Where a batch-1 inference spends its time, by operator type as ONNX Runtime runs each model after its graph
     * optimisations (so fused kernels such as QLinearConv or FusedConv show under their own names): the runtime's
     * profiler over {@code runs} runs of {@code image}, in microseconds per run, largest first, one map per model.
     * The runs are interleaved over the models, so their numbers compare even on a busy machine; the profiler adds a
     * little to each operator. Sessions of their own, so timed sessions are never slowed by profiling.
     *
     * @param specs the networks the models were exported from, in the same order
     */
    public static List<Map<String, Double>> operatorMicros(List<byte[]> onnx, List<NetSpec> specs, int threads,
            float[] image, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be >= 1, got " + runs);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path dir = null;
        List<OrtSession> sessions = new ArrayList<>();
        List<OnnxTensor> inputs = new ArrayList<>();
        try {
            dir = Files.createTempDirectory("pm-ort-profile");
            for (int m = 0; m < onnx.size(); m++) {
                try (OrtSession.SessionOptions options = sessionOptions(threads)) {
                    options.enableProfiling(dir.resolve("model-" + m).toString());
                    sessions.add(env.createSession(onnx.get(m), options));
                }
                inputs.add(OnnxTensor.createTensor(env, FloatBuffer.wrap(image), inputShape(specs.get(m), 1)));
            }
            for (int i = 0; i < runs; i++) {
                for (int m = 0; m < sessions.size(); m++) {
                    sessions.get(m).run(Map.of(OnnxExport.INPUT, inputs.get(m))).close();
                }
            }
            List<Map<String, Double>> out = new ArrayList<>();
            for (OrtSession session : sessions) {
                out.add(perOperator(Json.tree(Files.readString(Path.of(session.endProfiling()))), runs));
            }
            return out;
        } catch (OrtException | IOException e) {
            throw new IllegalStateException("cannot profile in ONNX Runtime: " + e.getMessage(), e);
        } finally {
            inputs.forEach(OnnxTensor::close);
            for (OrtSession session : sessions) {
                try {
                    session.close();
                } catch (OrtException e) {
                    // closing after profiling: nothing left to lose
                }
            }
            deleteQuietly(dir);
        }
    }

    /** Sums the profiler's kernel-time events ({@code cat: Node}, {@code <node>_kernel_time}) by operator. */
    static Map<String, Double> perOperator(JsonNode events, int runs) {
        Map<String, Double> micros = new HashMap<>();
        for (JsonNode e : events) {
            if ("Node".equals(e.path("cat").asText()) && e.path("name").asText().endsWith("_kernel_time")) {
                micros.merge(e.path("args").path("op_name").asText("?"), e.path("dur").asDouble() / runs,
                        Double::sum);
            }
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        micros.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover profile in the temp directory is harmless
        }
    }

    private float[] run(FloatBuffer images, int count) {
        try (OnnxTensor input = OnnxTensor.createTensor(env, images, inputShape(spec, count))) {
            return run(input);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    private float[] run(OnnxTensor input) {
        // Logits as a heap copy: accuracy needs them after the result is closed.
        try (OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
            FloatBuffer logits = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[logits.remaining()];
            logits.get(out);
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    private static long[] inputShape(NetSpec spec, long batch) {
        Shape s = spec.input();
        return s.flat() ? new long[] {batch, s.channels()} : new long[] {batch, s.channels(), s.height(), s.width()};
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX Runtime session of " + spec.name(), e);
        }
    }
}
