package dev.pocketmesh.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a job file (YAML or JSON; JSON is YAML) into a validated {@link JobSpec}. */
public final class JobSpecParser {
    private final JobSpecValidator validator;

    public JobSpecParser(JobSpecValidator validator) {
        this.validator = validator;
    }

    public JobSpec parse(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new JobSpecException(List.of(new FieldError("(file)", "cannot read " + file + ": " + e.getMessage())));
        }
        return parse(text);
    }

    public JobSpec parse(String yamlOrJson) {
        return validator.validate(readTree(yamlOrJson));
    }

    /** The document as a tree, or a {@link JobSpecException} that says where the syntax breaks. */
    public static JsonNode readTree(String yamlOrJson) {
        try {
            JsonNode node = Json.yaml().readTree(yamlOrJson);
            if (node == null || node.isMissingNode() || node.isNull()) {
                throw new JobSpecException(List.of(new FieldError("(document)", "is empty")));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new JobSpecException(List.of(new FieldError("(document)", "is not valid YAML/JSON: "
                    + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr() : ""))));
        }
    }
}
