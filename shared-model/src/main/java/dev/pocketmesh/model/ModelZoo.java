package dev.pocketmesh.model;

import dev.pocketmesh.model.Layer.Add;
import dev.pocketmesh.model.Layer.BatchNorm;
import dev.pocketmesh.model.Layer.Conv2d;
import dev.pocketmesh.model.Layer.Flatten;
import dev.pocketmesh.model.Layer.GlobalAvgPool;
import dev.pocketmesh.model.Layer.Linear;
import dev.pocketmesh.model.Layer.MaxPool;
import dev.pocketmesh.model.Layer.Relu;
import dev.pocketmesh.model.Layer.Shortcut;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Built-in networks as {@link NetSpec}s. Every spec returned is validated with {@link ShapeInference}.
 * Convs followed by BatchNorm have no bias; convs and linears without BN have one.
 */
public final class ModelZoo {
    /** Names accepted by {@link #byName}. */
    public static final List<String> NAMES = List.of(
            "mlp", "lenet5", "resnet20", "resnet32", "resnet44", "resnet56", "vgg-small", "mobilenet-v1");
    /** Names reserved for networks that are planned but not built yet. */
    public static final List<String> PLANNED = List.of("resnet18", "mobilenet-v2");
    /** Hidden layer widths of the "mlp" zoo entry. */
    public static final int[] DEFAULT_MLP_HIDDEN = {256, 128};

    private ModelZoo() {
    }

    /**
     * The zoo network named in a job spec, for inputs of {@code inChannels x h x w} and {@code classes}
     * classes. "mlp" has hidden layers {@link #DEFAULT_MLP_HIDDEN}; "mobilenet-v1" has width 1.0.
     *
     * @throws IllegalArgumentException for an unknown name (listing the known ones) or a planned one
     */
    public static NetSpec byName(String name, int inChannels, int h, int w, int classes) {
        String key = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (key) {
            case "mlp" -> mlp(inChannels, h, w, DEFAULT_MLP_HIDDEN, classes);
            case "lenet5" -> lenet5(inChannels, h, w, classes);
            case "resnet20" -> resnetCifar(20, inChannels, h, w, classes);
            case "resnet32" -> resnetCifar(32, inChannels, h, w, classes);
            case "resnet44" -> resnetCifar(44, inChannels, h, w, classes);
            case "resnet56" -> resnetCifar(56, inChannels, h, w, classes);
            case "vgg-small" -> vggSmall(inChannels, h, w, classes);
            case "mobilenet-v1" -> mobilenetV1(1.0, inChannels, h, w, classes);
            case "resnet18", "mobilenet-v2" -> throw new IllegalArgumentException(
                    "model '" + name + "' is not yet available; available: " + NAMES);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + NAMES);
        };
    }

    /** MLP on a flat vector of {@code inFeatures}: Flatten, then (Linear + ReLU) per hidden width, then Linear. */
    public static NetSpec mlp(int inFeatures, int[] hidden, int classes) {
        return mlp(Shape.chw(inFeatures, 1, 1), hidden, classes);
    }

    /** MLP on C x H x W inputs (flattened first). */
    public static NetSpec mlp(int inChannels, int h, int w, int[] hidden, int classes) {
        return mlp(Shape.chw(inChannels, h, w), hidden, classes);
    }

    private static NetSpec mlp(Shape input, int[] hidden, int classes) {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Flatten("flatten"));
        int in = Math.toIntExact(input.elements());
        for (int i = 0; i < hidden.length; i++) {
            layers.add(new Linear("fc" + (i + 1), in, hidden[i], true));
            layers.add(new Relu("relu" + (i + 1)));
            in = hidden[i];
        }
        layers.add(new Linear("fc" + (hidden.length + 1), in, classes, true));
        return checked(new NetSpec("mlp-" + Arrays.toString(hidden).replaceAll("[\\[\\] ]", "").replace(',', '-'),
                input, classes, layers, List.of()));
    }

    /** LeNet-5 for 1 x 28 x 28 Fashion-MNIST, 10 classes. */
    public static NetSpec lenet5() {
        return lenet5(1, 28, 28, 10);
    }

    /**
     * LeNet-5, modern variant (ReLU + max pooling, full conv2 connectivity, no BN, all layers with bias):
     * conv1 C->6 5x5 pad 2 / relu1 / pool1 max 2x2 s2 / conv2 6->16 5x5 pad 0 / relu2 / pool2 max 2x2 s2 /
     * flatten / fc1 16*h'*w'->120 / relu3 / fc2 120->84 / relu4 / fc3 84->classes. At 28 x 28:
     * 28 -> 28 -> 14 -> 10 -> 5, so fc1 has 400 inputs.
     */
    public static NetSpec lenet5(int inChannels, int h, int w, int classes) {
        int fh = ((h / 2) - 4) / 2;
        int fw = ((w / 2) - 4) / 2;
        List<Layer> layers = List.of(
                Conv2d.of("conv1", inChannels, 6, 5, 1, 2, true),
                new Relu("relu1"),
                new MaxPool("pool1", 2, 2),
                Conv2d.of("conv2", 6, 16, 5, 1, 0, true),
                new Relu("relu2"),
                new MaxPool("pool2", 2, 2),
                new Flatten("flatten"),
                new Linear("fc1", 16 * Math.max(fh, 1) * Math.max(fw, 1), 120, true),
                new Relu("relu3"),
                new Linear("fc2", 120, 84, true),
                new Relu("relu4"),
                new Linear("fc3", 84, classes, true));
        return checked(new NetSpec("lenet5", Shape.chw(inChannels, h, w), classes, layers, List.of()));
    }

    /**
     * CIFAR ResNet (He et al. 2016, section 4.2): depth = 6n + 2.
     * stem: conv 3x3 C->16 pad 1 + BN + ReLU; three stages of n basic blocks with 16, 32, 64 channels, the
     * first block of stages 2 and 3 striding by 2; then global average pool, flatten, linear 64->classes.
     * Basic block {@code sS.bB}: conv1 3x3 (stride s) + bn1 + relu1 + conv2 3x3 + bn2 + add + relu2.
     * <p><b>Shortcut choice:</b> the two down-sampling blocks use a <em>projection</em> shortcut (1x1 conv
     * stride 2, no bias, + BN; the paper's option B) instead of the paper's parameter-free zero-padding
     * identity (option A), because zero padding is not expressible as a prunable layer. This adds
     * 16*32 + 2*32 + 32*64 + 2*64 = 2,752 parameters and 262,144 MACs over option A (ResNet-20: 272,474
     * vs. the published 269,722 ~ 0.27M). Other blocks use identity shortcuts.
     * <p>Residual groups: one per stage ("stage1": the stem conv and every conv2 of stage 1; "stage2" and
     * "stage3": the projection conv and every conv2 of that stage).
     */
    public static NetSpec resnetCifar(int depth, int inChannels, int h, int w, int classes) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("CIFAR ResNet depth must be 6n + 2 (20, 32, 44, 56, ...), got " + depth);
        }
        int n = (depth - 2) / 6;
        List<Layer> layers = new ArrayList<>();
        List<NetSpec.ResidualGroup> groups = new ArrayList<>();
        layers.add(Conv2d.of("conv1", inChannels, 16, 3, 1, 1, false));
        layers.add(new BatchNorm("bn1", 16));
        layers.add(new Relu("relu1"));
        String prev = "relu1";
        int channels = 16;
        int[] widths = {16, 32, 64};
        for (int s = 0; s < 3; s++) {
            List<String> group = new ArrayList<>();
            if (s == 0) {
                group.add("conv1");
            }
            int out = widths[s];
            for (int b = 0; b < n; b++) {
                String p = "s" + (s + 1) + ".b" + (b + 1) + ".";
                int stride = (s > 0 && b == 0) ? 2 : 1;
                layers.add(Conv2d.of(p + "conv1", channels, out, 3, stride, 1, false));
                layers.add(new BatchNorm(p + "bn1", out));
                layers.add(new Relu(p + "relu1"));
                layers.add(Conv2d.of(p + "conv2", out, out, 3, 1, 1, false));
                layers.add(new BatchNorm(p + "bn2", out));
                Shortcut shortcut = null;
                if (stride != 1 || channels != out) {
                    shortcut = new Shortcut(Conv2d.of(p + "shortcut.conv", channels, out, 1, stride, 0, false),
                            new BatchNorm(p + "shortcut.bn", out));
                    group.add(p + "shortcut.conv");
                }
                group.add(p + "conv2");
                layers.add(new Add(p + "add", prev, shortcut));
                layers.add(new Relu(p + "relu2"));
                prev = p + "relu2";
                channels = out;
            }
            groups.add(new NetSpec.ResidualGroup("stage" + (s + 1), group));
        }
        layers.add(new GlobalAvgPool("avgpool"));
        layers.add(new Flatten("flatten"));
        layers.add(new Linear("fc", 64, classes, true));
        return checked(new NetSpec("resnet" + depth, Shape.chw(inChannels, h, w), classes, layers, groups));
    }

    /**
     * VGG-small as used in the quantization literature (LQ-Nets, Zhang et al. 2018, for CIFAR-10):
     * 2 x conv3x3(128) / maxpool 2 / 2 x conv3x3(256) / maxpool 2 / 2 x conv3x3(512) / maxpool 2 / flatten /
     * linear -> classes. Every conv has pad 1, stride 1, no bias and is followed by BN + ReLU. At 32 x 32 the
     * classifier sees 512 x 4 x 4 = 8192 features.
     */
    public static NetSpec vggSmall(int inChannels, int h, int w, int classes) {
        List<Layer> layers = new ArrayList<>();
        Shape input = Shape.chw(inChannels, h, w);
        int in = inChannels;
        int[][] stages = {{128, 128}, {256, 256}, {512, 512}};
        int conv = 0;
        for (int s = 0; s < stages.length; s++) {
            for (int out : stages[s]) {
                conv++;
                layers.add(Conv2d.of("conv" + conv, in, out, 3, 1, 1, false));
                layers.add(new BatchNorm("bn" + conv, out));
                layers.add(new Relu("relu" + conv));
                in = out;
            }
            layers.add(new MaxPool("pool" + (s + 1), 2, 2));
            h /= 2;
            w /= 2;
        }
        layers.add(new Flatten("flatten"));
        layers.add(new Linear("fc", in * h * w, classes, true));
        return checked(new NetSpec("vgg-small", input, classes, layers, List.of()));
    }

    /**
     * MobileNet v1 (Howard et al. 2017), CIFAR-sized variant: the stem conv 3x3 C->32 has stride 1 (not 2),
     * so a 32 x 32 input ends at 2 x 2 before global pooling. Stem + BN + ReLU, then 13 depthwise separable
     * blocks {@code bK}: dw 3x3 (stride s, pad 1) + BN + ReLU, pw 1x1 + BN + ReLU, with (out, s) =
     * (64,1) (128,2) (128,1) (256,2) (256,1) (512,2) 5x(512,1) (1024,2) (1024,1); then global average pool,
     * flatten, linear 1024->classes. Every channel count is scaled by {@code widthMultiplier} as
     * max(1, round(c * alpha)); convs have no bias.
     */
    public static NetSpec mobilenetV1(double widthMultiplier, int inChannels, int h, int w, int classes) {
        if (!(widthMultiplier > 0)) {
            throw new IllegalArgumentException("width multiplier must be > 0, got " + widthMultiplier);
        }
        int[][] cfg = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},
                {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
        List<Layer> layers = new ArrayList<>();
        int c = scale(32, widthMultiplier);
        layers.add(Conv2d.of("conv1", inChannels, c, 3, 1, 1, false));
        layers.add(new BatchNorm("bn1", c));
        layers.add(new Relu("relu1"));
        for (int i = 0; i < cfg.length; i++) {
            String p = "b" + (i + 1) + ".";
            int out = scale(cfg[i][0], widthMultiplier);
            layers.add(Conv2d.depthwise(p + "dw", c, 3, cfg[i][1], 1));
            layers.add(new BatchNorm(p + "dw.bn", c));
            layers.add(new Relu(p + "dw.relu"));
            layers.add(Conv2d.of(p + "pw", c, out, 1, 1, 0, false));
            layers.add(new BatchNorm(p + "pw.bn", out));
            layers.add(new Relu(p + "pw.relu"));
            c = out;
        }
        layers.add(new GlobalAvgPool("avgpool"));
        layers.add(new Flatten("flatten"));
        layers.add(new Linear("fc", c, classes, true));
        String name = "mobilenet-v1-" + widthMultiplier;
        return checked(new NetSpec(name, Shape.chw(inChannels, h, w), classes, layers, List.of()));
    }

    private static int scale(int channels, double alpha) {
        return Math.max(1, (int) Math.round(channels * alpha));
    }

    private static NetSpec checked(NetSpec spec) {
        ShapeInference.infer(spec);
        return spec;
    }
}
