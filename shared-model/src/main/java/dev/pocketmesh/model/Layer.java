package dev.pocketmesh.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * One layer of a {@link NetSpec}. Layers run in list order, each consuming the previous layer's output;
 * the only other connection is {@link Add}, which adds the output of an earlier named layer (optionally
 * through a projection shortcut) to the running tensor. Every layer has a name unique in its spec.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Layer.Conv2d.class, name = "conv2d"),
        @JsonSubTypes.Type(value = Layer.BatchNorm.class, name = "batchnorm"),
        @JsonSubTypes.Type(value = Layer.Relu.class, name = "relu"),
        @JsonSubTypes.Type(value = Layer.MaxPool.class, name = "maxpool"),
        @JsonSubTypes.Type(value = Layer.AvgPool.class, name = "avgpool"),
        @JsonSubTypes.Type(value = Layer.GlobalAvgPool.class, name = "globalavgpool"),
        @JsonSubTypes.Type(value = Layer.Flatten.class, name = "flatten"),
        @JsonSubTypes.Type(value = Layer.Linear.class, name = "linear"),
        @JsonSubTypes.Type(value = Layer.Add.class, name = "add")})
public sealed interface Layer {
    String name();

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a layer needs a non-blank name");
        }
        return name;
    }

    private static void positive(String name, String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + what + " must be >= 1, got " + value);
        }
    }

    /**
     * 2-D convolution, square kernel. Output size per spatial dim: floor((in + 2*padding - kernel) / stride) + 1.
     * {@code groups} splits channels; a conv with {@code groups == inChannels == outChannels > 1} is
     * depthwise (its channel count follows its input's).
     */
    record Conv2d(String name, int inChannels, int outChannels, int kernel, int stride, int padding, int groups,
                  boolean bias) implements Layer {
        public Conv2d {
            requireName(name);
            positive(name, "inChannels", inChannels);
            positive(name, "outChannels", outChannels);
            positive(name, "kernel", kernel);
            positive(name, "stride", stride);
            positive(name, "groups", groups);
            if (padding < 0) {
                throw new IllegalArgumentException(name + ": padding must be >= 0, got " + padding);
            }
            if (inChannels % groups != 0 || outChannels % groups != 0) {
                throw new IllegalArgumentException(name + ": groups " + groups + " must divide inChannels "
                        + inChannels + " and outChannels " + outChannels);
            }
        }

        /** A dense (groups = 1) conv. */
        public static Conv2d of(String name, int in, int out, int kernel, int stride, int padding, boolean bias) {
            return new Conv2d(name, in, out, kernel, stride, padding, 1, bias);
        }

        /** A depthwise conv over {@code channels} channels, no bias. */
        public static Conv2d depthwise(String name, int channels, int kernel, int stride, int padding) {
            return new Conv2d(name, channels, channels, kernel, stride, padding, channels, false);
        }

        public boolean depthwise() {
            return groups > 1 && groups == inChannels && groups == outChannels;
        }

        public Conv2d withInChannels(int in) {
            return new Conv2d(name, in, outChannels, kernel, stride, padding, groups, bias);
        }

        public Conv2d withOutChannels(int out) {
            return new Conv2d(name, inChannels, out, kernel, stride, padding, groups, bias);
        }
    }

    /**
     * Batch normalisation over {@code channels} (feature maps or flat features): 2 learnable values per
     * channel (scale, shift) plus 2 running statistics (mean, variance) that are stored but not learned.
     * It computes {@code γ (x − mean) / √(var + EPSILON) + β}.
     */
    record BatchNorm(String name, int channels) implements Layer {
        /** Added to the variance before its square root: PyTorch's default, used by builder, folding and export. */
        public static final float EPSILON = 1e-5f;

        public BatchNorm {
            requireName(name);
            positive(name, "channels", channels);
        }
    }

    /**
     * ReLU; with {@code max} (null for none) it is also capped there: min(max(x, 0), max), ReLU6 at 6 (MobileNet v2
     * and other imported ONNX models use it; the zoo's networks do not).
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Relu(String name, Double max) implements Layer {
        public Relu {
            requireName(name);
            if (max != null && !(max > 0 && Double.isFinite(max))) {
                throw new IllegalArgumentException(name + ": max must be a finite number > 0 (or absent), got " + max);
            }
        }

        /** A plain (uncapped) ReLU. */
        public Relu(String name) {
            this(name, null);
        }
    }

    /** Max pooling, no padding: out = floor((in - kernel) / stride) + 1. */
    record MaxPool(String name, int kernel, int stride) implements Layer {
        public MaxPool {
            requireName(name);
            positive(name, "kernel", kernel);
            positive(name, "stride", stride);
        }
    }

    /** Average pooling, no padding: out = floor((in - kernel) / stride) + 1. */
    record AvgPool(String name, int kernel, int stride) implements Layer {
        public AvgPool {
            requireName(name);
            positive(name, "kernel", kernel);
            positive(name, "stride", stride);
        }
    }

    /** Averages each channel over H x W: C x H x W becomes C x 1 x 1 (still a feature map). */
    record GlobalAvgPool(String name) implements Layer {
        public GlobalAvgPool {
            requireName(name);
        }
    }

    /** C x H x W becomes a flat vector of C*H*W features. */
    record Flatten(String name) implements Layer {
        public Flatten {
            requireName(name);
        }
    }

    /** Fully connected layer on a flat input. */
    record Linear(String name, int inFeatures, int outFeatures, boolean bias) implements Layer {
        public Linear {
            requireName(name);
            positive(name, "inFeatures", inFeatures);
            positive(name, "outFeatures", outFeatures);
        }

        public Linear withInFeatures(int in) {
            return new Linear(name, in, outFeatures, bias);
        }

        public Linear withOutFeatures(int out) {
            return new Linear(name, inFeatures, out, bias);
        }
    }

    /**
     * Residual addition: the running tensor (the previous layer's output) plus the output of the earlier
     * layer {@code from} ({@link NetSpec#INPUT} for the network input), the latter passed through
     * {@code shortcut} when it is not null. Both addends must have the same shape.
     */
    record Add(String name, String from, Shortcut shortcut) implements Layer {
        public Add {
            requireName(name);
            if (from == null || from.isBlank()) {
                throw new IllegalArgumentException(name + ": 'from' must name an earlier layer");
            }
        }

        public static Add identity(String name, String from) {
            return new Add(name, from, null);
        }
    }

    /**
     * A projection shortcut of an {@link Add}: a (usually 1x1, strided) conv followed by batch norm; {@code bn} is
     * null once the batch norm has been folded into the conv (quantized models).
     */
    record Shortcut(Conv2d conv, BatchNorm bn) {
        public Shortcut {
            Objects.requireNonNull(conv, "shortcut conv");
        }
    }
}
