package dev.pocketmesh.orchestrator.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.Message;
import dev.pocketmesh.contracts.MessageIds;
import dev.pocketmesh.spec.JobSpec;
import dev.pocketmesh.spec.JobSpecException;
import dev.pocketmesh.spec.JobSpecValidator;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a submitted document, from Kafka or REST, into a job id and a validated spec. A document with a top-level
 * {@code spec} field is a {@code JobSubmission} envelope; any other document is the spec itself, so that a spec
 * pasted into Kafka's console producer or posted as YAML is accepted as is.
 */
@ApplicationScoped
public class JobIntake {
    /** Job ids end up in Redis keys, topic keys and artifact paths: keep them plain. */
    public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final JobSpecValidator validator;
    private final EvaluatorWatch evaluators;

    public JobIntake(JobSpecValidator validator, EvaluatorWatch evaluators) {
        this.validator = validator;
        this.evaluators = evaluators;
    }

    /**
     * A submission read from a document. Either {@code spec} is set (valid) or {@code errors} is non-empty;
     * {@code jobId} is always set, {@code messageId} only when the envelope carried one, {@code name} is the
     * document's name as far as it could be read (for a rejected job's record).
     */
    public record Submission(String jobId, String messageId, String name, JobSpec spec, List<FieldError> errors) {
        public boolean valid() {
            return spec != null;
        }
    }

    /**
     * @param doc            the parsed document (JSON or YAML tree)
     * @param overrideJobId  a job id that wins over the envelope's (REST's {@code ?jobId=}), or null
     * @param fallbackJobId  the id to use when neither the override nor the envelope names one (Kafka's key), or null
     */
    public Submission read(JsonNode doc, String overrideJobId, String fallbackJobId) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode specNode = doc;
        String envelopeJobId = null;
        String messageId = null;
        if (doc != null && doc.isObject() && doc.has("spec")) {
            JsonNode version = doc.get("schemaVersion");
            if (version != null && !version.isNull()
                    && (!version.canConvertToInt() || version.asInt() != Message.SCHEMA_VERSION)) {
                errors.add(new FieldError("schemaVersion", "unsupported schema version " + version + "; this "
                        + "orchestrator reads version " + Message.SCHEMA_VERSION));
            }
            envelopeJobId = text(doc, "jobId", errors);
            messageId = text(doc, "messageId", errors);
            specNode = doc.get("spec");
        }
        String jobId = firstNonBlank(overrideJobId, envelopeJobId, fallbackJobId);
        if (jobId == null) {
            jobId = MessageIds.newJobId();
        } else if (!JOB_ID.matcher(jobId).matches()) {
            errors.add(new FieldError("jobId", "must be 1-100 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit (got '" + jobId + "')"));
        }
        String name = specNode != null && specNode.isObject() && specNode.path("name").isTextual()
                ? specNode.get("name").asText() : null;
        JobSpec spec = null;
        try {
            spec = validator.validate(specNode);
            // A valid job nobody can measure would wait forever on its evaluations topic: refuse it now.
            errors.addAll(evaluators.missingAtIntake(spec));
        } catch (JobSpecException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            return new Submission(jobId, messageId, name, null, List.copyOf(errors));
        }
        return new Submission(jobId, messageId, name, spec, List.of());
    }

    private static String text(JsonNode doc, String field, List<FieldError> errors) {
        JsonNode node = doc.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(field, "must be a string (got " + node + ")"));
            return null;
        }
        return node.asText();
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
