package dev.pocketmesh.spec;

import dev.pocketmesh.contracts.FieldError;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What an operator allows a submitted job to touch and to cost: the directories its dataset and its model may be
 * read from, and its size limits (trials, epochs, parallelism, network parameters). The orchestrator builds one from
 * configuration; {@link #UNRESTRICTED} is for in-process use on the user's own machine and for tests.
 *
 * @param datasetRoots     directories {@code dataset.path} must lie under; empty means anywhere
 * @param modelRoots       directories {@code model.uri} must lie under; empty means anywhere
 * @param maxTrials        the most {@code search.trials} a job may ask for
 * @param maxEpochs        the most epochs any one training phase may ask for ({@code training.epochs},
 *                         {@code training.baselineEpochs}, {@code training.finalEpochs})
 * @param maxParallelism   the most {@code search.parallelism} a job may ask for
 * @param maxModelParams   the most parameters the job's (uncompressed) network may have
 */
public record JobPolicy(List<Path> datasetRoots, List<Path> modelRoots, int maxTrials, int maxEpochs,
        int maxParallelism, long maxModelParams) {

    public static final JobPolicy UNRESTRICTED = new JobPolicy(List.of(), List.of(), JobSpecValidator.MAX_TRIALS,
            10_000, JobSpecValidator.MAX_PARALLELISM, Long.MAX_VALUE);

    public JobPolicy {
        datasetRoots = datasetRoots.stream().map(JobPolicy::canonical).toList();
        modelRoots = modelRoots.stream().map(JobPolicy::canonical).toList();
    }

    /**
     * The refusal for a path or {@code file:} URI that lies outside {@code roots}, or empty when it is allowed.
     * {@code ..} segments are refused outright (even ones that would resolve inside a root), other URI schemes too,
     * and links are followed before the check, so a link inside a root cannot lead out of it.
     */
    public static Optional<FieldError> confine(String field, String location, List<Path> roots) {
        if (roots.isEmpty()) {
            return Optional.empty();
        }
        Path path;
        try {
            path = toPath(location);
        } catch (IllegalArgumentException e) {
            return Optional.of(new FieldError(field, e.getMessage()));
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                return Optional.of(new FieldError(field, "must not contain '..' (got '" + location + "')"));
            }
        }
        Path resolved = canonical(path);
        if (roots.stream().noneMatch(resolved::startsWith)) {
            return Optional.of(new FieldError(field, "'" + location + "' is outside the allowed roots " + roots
                    + " (an operator widens them with pocketmesh.datasets.roots / pocketmesh.artifacts.root)"));
        }
        return Optional.empty();
    }

    /** A plain path or a {@code file:} URI as a path; any other scheme is refused. */
    static Path toPath(String location) {
        int colon = location.indexOf(':');
        boolean hasScheme = colon > 1 && location.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
        if (hasScheme && !location.regionMatches(true, 0, "file:", 0, 5)) {
            throw new IllegalArgumentException("only local paths and file: URIs are allowed (got '" + location + "')");
        }
        try {
            return hasScheme ? Path.of(URI.create(location)) : Path.of(location);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            // InvalidPathException is an IllegalArgumentException too.
            throw new IllegalArgumentException("is not a valid " + (hasScheme ? "file: URI" : "path") + " (got '"
                    + location + "')");
        }
    }

    /** Absolute, normalised, and with links followed as far as the path exists. */
    private static Path canonical(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException e) {
            return absolute;
        }
    }

    /** The refusals of a valid spec's sizes that exceed this policy's limits. */
    List<FieldError> checkLimits(JobSpec spec) {
        List<FieldError> errors = new java.util.ArrayList<>();
        if (spec.search().trials() > maxTrials) {
            errors.add(overLimit("search.trials", spec.search().trials(), maxTrials, "pocketmesh.limits.max-trials"));
        }
        if (spec.search().parallelism() > maxParallelism) {
            errors.add(overLimit("search.parallelism", spec.search().parallelism(), maxParallelism,
                    "pocketmesh.limits.max-parallelism"));
        }
        JobSpec.Training t = spec.training();
        if (t.epochs() > maxEpochs) {
            errors.add(overLimit("training.epochs", t.epochs(), maxEpochs, "pocketmesh.limits.max-epochs"));
        }
        if (t.baselineEpochs() > maxEpochs) {
            errors.add(overLimit("training.baselineEpochs", t.baselineEpochs(), maxEpochs,
                    "pocketmesh.limits.max-epochs"));
        }
        if (t.finalEpochs() > maxEpochs) {
            errors.add(overLimit("training.finalEpochs", t.finalEpochs(), maxEpochs, "pocketmesh.limits.max-epochs"));
        }
        return errors;
    }

    static FieldError overLimit(String field, long value, long limit, String key) {
        return new FieldError(field, "is " + value + ", above this mesh's limit of " + limit + " (" + key + ")");
    }
}
