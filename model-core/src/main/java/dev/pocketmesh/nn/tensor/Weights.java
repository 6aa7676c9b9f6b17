package dev.pocketmesh.nn.tensor;

import dev.pocketmesh.model.WeightNames;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters and buffers of a network, by name {@code <layer>.<param>} in the order the network defines them.
 * Names follow the layer names of the {@link dev.pocketmesh.model.NetSpec} (projection shortcut convs and BNs
 * use their own names):
 * <ul>
 * <li>conv: {@code weight} [out, in/groups, k, k], {@code bias} [out] when the conv has one;</li>
 * <li>linear: {@code weight} [out, in], {@code bias} [out];</li>
 * <li>batch norm: {@code gamma}, {@code beta}, {@code runningMean}, {@code runningVar}, each [channels].</li>
 * </ul>
 */
public final class Weights {
    // The names live in shared-model (WeightNames), which the ONNX importer also uses; these are short aliases.
    public static final String WEIGHT = WeightNames.WEIGHT;
    public static final String BIAS = WeightNames.BIAS;
    public static final String GAMMA = WeightNames.GAMMA;
    public static final String BETA = WeightNames.BETA;
    public static final String RUNNING_MEAN = WeightNames.RUNNING_MEAN;
    public static final String RUNNING_VAR = WeightNames.RUNNING_VAR;

    private final Map<String, Tensor> tensors;

    public Weights(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public static String key(String layer, String param) {
        return WeightNames.key(layer, param);
    }

    public Map<String, Tensor> asMap() {
        return tensors;
    }

    public Optional<Tensor> find(String layer, String param) {
        return Optional.ofNullable(tensors.get(key(layer, param)));
    }

    public Tensor get(String layer, String param) {
        Tensor t = tensors.get(key(layer, param));
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + key(layer, param) + "' in these weights");
        }
        return t;
    }

    /** A copy with the given tensors replaced or added. */
    public Weights with(Map<String, Tensor> replacements) {
        Map<String, Tensor> copy = new LinkedHashMap<>(tensors);
        copy.putAll(replacements);
        return new Weights(copy);
    }

    /** Number of scalar values over every tensor (learned parameters and BN statistics). */
    public long values() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    @Override
    public String toString() {
        return "Weights" + tensors.keySet();
    }
}
