package dev.pocketmesh.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileArtifactStoreTest {
    @TempDir
    Path root;

    @Test
    void storesAndReadsBackByUri() {
        FileArtifactStore store = new FileArtifactStore(root);
        URI uri = store.put("jobs/j1/trials/t1/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(uri.getScheme()).isEqualTo("file");
        assertThat(store.exists(uri)).isTrue();
        assertThat(store.uri("jobs/j1/trials/t1/manifest.json")).isEqualTo(uri);
        assertThat(store.exists(store.uri("jobs/j1/none.json"))).isFalse();
        assertThat(new String(store.get(uri), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void refusesPathsOutsideTheRoot() {
        FileArtifactStore store = new FileArtifactStore(root);
        assertThatThrownBy(() -> store.put("../escape.txt", new byte[0])).hasMessageContaining("escapes");
        assertThatThrownBy(() -> store.get(URI.create("file:///etc/passwd"))).hasMessageContaining("outside");
        assertThatThrownBy(() -> store.get(URI.create("http://example.invalid/x"))).hasMessageContaining("file://");
    }

    @Test
    void listsTheFilesUnderADirectory() {
        FileArtifactStore store = new FileArtifactStore(root);
        store.put("jobs/j1/report.md", new byte[] {1});
        store.put("jobs/j1/final/attempt-1/model.onnx", new byte[] {2});
        store.put("jobs/j2/report.md", new byte[] {3});
        assertThat(store.list("jobs/j1")).containsExactly("final/attempt-1/model.onnx", "report.md");
        assertThat(store.list("jobs/none")).isEmpty();
        assertThatThrownBy(() -> store.list("../")).hasMessageContaining("escapes");
    }
}
