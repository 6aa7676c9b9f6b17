package dev.pocketmesh.learner;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.model.NetSpec;
import dev.pocketmesh.search.SearchSpace;
import dev.pocketmesh.spec.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code uniform-quantization}: weights to {@code bits}-bit integers (per channel or per tensor, symmetric or not),
 * batch norms folded in first, layer inputs to {@code activationBits} (0 = float) with ranges calibrated on
 * {@code calibrationSamples} unlabelled images by {@code calibration} (minmax, percentile, mse, kl). {@code mode: qat}
 * fine-tunes with learned step sizes; {@code mode: ptq} does no training ({@code biasCorrection} optional). With a
 * target {@code equivalentBits} the study searches one bit width per layer (mixed precision), or with
 * {@code allocation: sensitivity} the worker allocates them without labels from each layer's quantization sensitivity
 * (nothing to search). {@code keepFloat: k} leaves the k most sensitive layers in float.
 */
public final class UniformQuantizationLearner extends BitWidthLearner {
    public static final String NAME = "uniform-quantization";
    public static final List<String> MODES = List.of("qat", "ptq");
    public static final List<String> CALIBRATIONS = List.of("minmax", "percentile", "mse", "kl");
    private static final Map<String, Object> DEFAULTS = Map.ofEntries(Map.entry("mode", "qat"),
            Map.entry("bits", 8), Map.entry("perChannel", true), Map.entry("symmetric", true),
            Map.entry("calibration", "percentile"), Map.entry("percentile", 99.99),
            Map.entry("calibrationSamples", 256), Map.entry("activationBits", 8), Map.entry("biasCorrection", true),
            Map.entry("minBits", 2), Map.entry("maxBits", 8), Map.entry("allocation", "search"),
            Map.entry("keepFloat", 0));
    private static final Set<String> KNOWN = Set.of("mode", "bits", "layerBits", "perChannel", "symmetric",
            "calibration", "percentile", "calibrationSamples", "activationBits", "biasCorrection", "minBits",
            "maxBits", "allocation", "keepFloat");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "uniform quantization (QAT with learned step sizes, or PTQ with calibration); mixed precision searched";
    }

    @Override
    public List<FieldError> validate(Map<String, Object> params, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        ParamReader reader = new ParamReader(params, prefix, errors);
        reader.rejectUnknown(KNOWN);
        Map<String, Object> p = params == null ? Map.of() : params;
        MixedPrecision.validateParams(reader, p, prefix, errors);
        reader.oneOf("mode", MODES);
        reader.oneOf("allocation", List.of("search", "sensitivity"));
        reader.integer("keepFloat", 0, 1000);
        reader.oneOf("calibration", CALIBRATIONS);
        reader.number("percentile", 90, 100);
        reader.integer("calibrationSamples", 16, 100_000);
        reader.bool("perChannel");
        reader.bool("symmetric");
        reader.bool("biasCorrection");
        Object activationBits = p.get("activationBits");
        if (activationBits != null && !(activationBits instanceof Integer a && (a == 0 || (a >= 2 && a <= 8)))) {
            errors.add(new FieldError(prefix + ".activationBits", "must be 0 (float inputs) or an integer in [2, 8] "
                    + "(got " + activationBits + ")"));
        }
        if ("qat".equals(withDefaults(p).get("mode")) && Boolean.FALSE.equals(p.get("symmetric"))) {
            errors.add(new FieldError(prefix + ".symmetric", "learned step sizes (mode: qat) quantize weights "
                    + "symmetrically; use mode: ptq for asymmetric weights"));
        }
        return errors;
    }

    @Override
    public Map<String, Object> withDefaults(Map<String, Object> params) {
        return ParamReader.withDefaults(DEFAULTS, params);
    }

    @Override
    public List<FieldError> validateJob(JobSpec spec) {
        List<FieldError> errors = new ArrayList<>(super.validateJob(spec));
        Map<String, Object> p = withDefaults(spec.compression().params());
        if ("sensitivity".equals(p.get("allocation")) && target(spec) == null) {
            errors.add(new FieldError("compression.params.allocation", "sensitivity allocates bit widths under "
                    + "compression.target.equivalentBits, which is missing"));
        }
        if ("ptq".equals(p.get("mode")) && spec.compression().distillation() != null) {
            errors.add(new FieldError("compression.distillation", "post-training quantization (mode: ptq) does not "
                    + "train, so there is nothing to distil into; use mode: qat"));
        }
        return errors;
    }

    @Override
    public SearchSpace searchSpace(JobSpec spec, NetSpec net) {
        return allocatedBySensitivity(spec) ? new SearchSpace(List.of()) : super.searchSpace(spec, net);
    }

    @Override
    public Map<String, Object> complete(Map<String, Object> suggestion, JobSpec spec, NetSpec net) {
        // With allocation: sensitivity the worker allocates the widths.
        return allocatedBySensitivity(spec) ? Map.of() : super.complete(suggestion, spec, net);
    }

    /** Bit widths by layer from a completed configuration. */
    public static Map<String, Integer> bitsOf(Map<String, Object> config) {
        return MixedPrecision.bitsOf(config);
    }

    /** Whether the worker allocates bit widths from sensitivity rather than the study searching them. */
    public static boolean allocatedBySensitivity(JobSpec spec) {
        return "sensitivity".equals(spec.compression().params().get("allocation"));
    }
}
