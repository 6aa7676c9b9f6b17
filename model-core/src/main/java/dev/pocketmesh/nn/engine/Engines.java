package dev.pocketmesh.nn.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place that starts DJL's PyTorch engine: offline (the natives come from the bundled
 * {@code pytorch-native} jar; nothing is downloaded at run time), with a chosen device set and thread count.
 */
public final class Engines {
    private Engines() {
    }

    /** Forces DJL offline unless the process already decided, then loads the PyTorch engine. */
    public static Engine pytorch() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine("PyTorch");
    }

    /**
     * The devices a spec's {@code training.devices} asks for: {@code auto} = every GPU of this machine, or the
     * CPU when it has none; {@code cpu}; {@code gpu} = every GPU (an error without one); {@code gpu:0,2} = those.
     * Several devices mean data-parallel training (each batch is split across them).
     */
    public static Device[] devices(String request) {
        Engine engine = pytorch();
        String r = request == null || request.isBlank() ? "auto" : request.trim().toLowerCase(Locale.ROOT);
        int gpus = engine.getGpuCount();
        if (r.equals("cpu")) {
            return new Device[] {Device.cpu()};
        }
        if (r.equals("auto") || r.equals("gpu")) {
            if (gpus == 0) {
                if (r.equals("gpu")) {
                    throw new IllegalArgumentException("training.devices is 'gpu' but this worker has no GPU");
                }
                return new Device[] {Device.cpu()};
            }
            Device[] all = new Device[gpus];
            for (int i = 0; i < gpus; i++) {
                all[i] = Device.gpu(i);
            }
            return all;
        }
        if (r.startsWith("gpu:")) {
            List<Device> chosen = new ArrayList<>();
            for (String id : r.substring(4).split(",")) {
                int index;
                try {
                    index = Integer.parseInt(id.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("training.devices: '" + id.trim() + "' is not a GPU index");
                }
                if (index < 0 || index >= gpus) {
                    throw new IllegalArgumentException("training.devices: GPU " + index + " does not exist here ("
                            + gpus + " GPUs)");
                }
                chosen.add(Device.gpu(index));
            }
            return chosen.toArray(Device[]::new);
        }
        throw new IllegalArgumentException("training.devices: '" + request + "' is not auto, cpu, gpu or gpu:<i,j>");
    }

    /** PyTorch's intra-op threads for this process (latency is measured at a fixed, reported count). */
    public static void setThreads(int threads) {
        pytorch();
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
    }

    public static int threads() {
        pytorch();
        return JniUtils.getNumThreads();
    }
}
