package dev.pocketmesh.evaluator.config;

import jakarta.enterprise.context.ApplicationScoped;
import dev.pocketmesh.contracts.MessageIds;
import java.util.regex.Pattern;

/** This process's evaluator id and device profile, checked once at startup. */
@ApplicationScoped
public class EvaluatorIdentity {
    /** The same rule the job spec validator applies to {@code evaluation.device}. */
    private static final Pattern PROFILE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final String id;
    private final String profile;

    public EvaluatorIdentity(EvaluatorConfig config) {
        if (!PROFILE.matcher(config.profile()).matches()) {
            throw new IllegalArgumentException("pocketmesh.evaluator.profile must be 1-32 lower-case letters, digits"
                    + " or '-' (got '" + config.profile() + "')");
        }
        this.profile = config.profile();
        this.id = config.id().filter(s -> !s.isBlank()).orElseGet(MessageIds::hostAndPid);
    }

    public String id() {
        return id;
    }

    public String profile() {
        return profile;
    }
}
