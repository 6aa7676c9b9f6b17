package dev.pocketmesh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pocketmesh.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshOverheadResultTest {
    private static final Instant T0 = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void percentilesAndRatesComeFromTheTrialTimestamps() {
        ArrayNode trials = Json.mapper().createArrayNode();
        for (int i = 0; i < 10; i++) {
            // Trial i: proposed at i*100 ms, claimed 5 ms later, finished (10 + i) ms after the proposal.
            trials.add(trial("SEARCH", "EVALUATED", i * 100, i * 100 + 5, i * 100 + 10 + i));
        }
        trials.add(trial("BASELINE", "EVALUATED", 0, 1, 5000));
        MeshOverheadBenchmark.Result r = MeshOverheadBenchmark.Result.from(trials, 10, 2, 1);
        assertThat(r.medianMs()).isEqualTo(14.0);
        assertThat(r.p90Ms()).isEqualTo(18.0);
        assertThat(r.p99Ms()).isEqualTo(19.0);
        assertThat(r.maxMs()).isEqualTo(19.0);
        assertThat(r.proposalToClaimMedianMs()).isEqualTo(5.0);
        // 10 trials from the first proposal (0 ms) to the last result (919 ms).
        assertThat(r.trialsPerSecond()).isCloseTo(10 / 0.919, org.assertj.core.data.Offset.offset(0.01));

        MeshOverheadBenchmark.Report report = new MeshOverheadBenchmark.Report(List.of(r), "test", T0);
        assertThat(report.targetMet()).isTrue();
        assertThat(report.markdown()).contains("| 10 | 2 | 1 | 14.0 |").contains("met (14.0 ms)");
    }

    @Test
    void aMissingTrialFailsTheRunInsteadOfSkewingIt() {
        ArrayNode trials = Json.mapper().createArrayNode();
        trials.add(trial("SEARCH", "FAILED", 0, 1, 2));
        assertThatThrownBy(() -> MeshOverheadBenchmark.Result.from(trials, 1, 1, 1))
                .hasMessageContaining("expected 1 evaluated trials, found 0");
    }

    private static ObjectNode trial(String kind, String state, long proposed, long started, long finished) {
        ObjectNode t = Json.mapper().createObjectNode();
        t.put("kind", kind).put("state", state).put("proposedAt", T0.plusMillis(proposed).toString())
                .put("startedAt", T0.plusMillis(started).toString()).put("finishedAt", T0.plusMillis(finished).toString());
        return t;
    }
}
