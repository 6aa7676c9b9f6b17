package dev.pocketmesh.contracts;

import java.time.Instant;
import java.util.Map;

/** Worker → everyone on {@code pocketmesh.trials.progress} (key = jobId): one fine-tune epoch done. */
public record TrialProgress(int schemaVersion, String messageId, String jobId, Instant createdAt, String trialId,
        int attempt, String workerId, int epoch, int totalEpochs, Map<String, Double> metrics) implements Message {

    public static TrialProgress of(String jobId, String trialId, int attempt, String workerId, int epoch,
            int totalEpochs, Map<String, Double> metrics) {
        return new TrialProgress(SCHEMA_VERSION, MessageIds.next(), jobId, Instant.now(), trialId, attempt,
                workerId, epoch, totalEpochs, metrics);
    }
}
