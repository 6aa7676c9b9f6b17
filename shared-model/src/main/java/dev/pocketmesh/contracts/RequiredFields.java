package dev.pocketmesh.contracts;

import java.util.ArrayList;
import java.util.List;

/** Collects the missing fields of an incoming message and refuses it naming all of them at once. */
final class RequiredFields {
    private final List<String> missing = new ArrayList<>();

    RequiredFields text(String name, String value) {
        if (value == null || value.isBlank()) {
            missing.add(name);
        }
        return this;
    }

    RequiredFields present(String name, Object value) {
        if (value == null) {
            missing.add(name);
        }
        return this;
    }

    /** Throws {@link InvalidMessageException} if a field is missing or the attempt number is not positive. */
    void check(String type, String trialId, int attempt) {
        if (!missing.isEmpty()) {
            throw new InvalidMessageException(type + (trialId == null ? "" : " " + trialId) + " lacks "
                    + String.join(", ", missing));
        }
        if (attempt < 1) {
            throw new InvalidMessageException(type + " " + trialId + ": attempt must be >= 1 (got " + attempt + ")");
        }
    }

    static Object learnerOf(dev.pocketmesh.spec.JobSpec spec) {
        return spec == null || spec.compression() == null ? null : spec.compression().learner();
    }
}
