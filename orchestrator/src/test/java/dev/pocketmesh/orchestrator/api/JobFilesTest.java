package dev.pocketmesh.orchestrator.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobFilesTest {
    @Test
    void pathsInsideTheJobsDirectoryAreServed() {
        assertThat(JobFiles.confine("report.html")).hasValue("report.html");
        assertThat(JobFiles.confine("final/attempt-1/model.onnx")).hasValue("final/attempt-1/model.onnx");
    }

    @Test
    void pathsThatCouldLeaveItAreRefused() {
        for (String path : new String[] {"", "..", "../other/report.json", "final/../../x", "/etc/passwd",
                "final//model.onnx", "final/", ".hidden", "a\\..\\b", "%2e%2e/x", "final/./model.onnx",
                "a/..b", "C:/x"}) {
            assertThat(JobFiles.confine(path)).as(path).isEmpty();
        }
    }

    @Test
    void typesFollowTheExtension() {
        assertThat(JobFiles.mediaType("plot-layers.png")).isEqualTo("image/png");
        assertThat(JobFiles.mediaType("report.html")).startsWith("text/html");
        assertThat(JobFiles.mediaType("final/attempt-1/model.onnx")).isEqualTo("application/octet-stream");
    }
}
