package dev.pocketmesh.model;

/**
 * How a network's weights are named, in one place for every side that reads or writes them (the model side's
 * {@code Weights}, ONNX export and import): {@code <layer>.<param>}, with the param names below.
 */
public final class WeightNames {
    public static final String WEIGHT = "weight";
    public static final String BIAS = "bias";
    public static final String GAMMA = "gamma";
    public static final String BETA = "beta";
    public static final String RUNNING_MEAN = "runningMean";
    public static final String RUNNING_VAR = "runningVar";

    private WeightNames() {
    }

    /** The name of a layer's weight: {@code <layer>.<param>}. */
    public static String key(String layer, String param) {
        return layer + "." + param;
    }
}
