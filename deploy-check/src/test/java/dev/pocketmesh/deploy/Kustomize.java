package dev.pocketmesh.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Renders a kustomization under k8s/ with {@code kubectl kustomize} (offline) and parses what it prints. */
final class Kustomize {
    private Kustomize() {
    }

    /** Every object the kustomization renders; kinds without a model class (KEDA's) are generic resources. */
    static List<HasMetadata> render(String dirUnderK8s) {
        Path dir = ServiceConfig.repoRoot().resolve("k8s").resolve(dirUnderK8s);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no kustomization at " + dir);
        }
        String yaml = run(List.of("kubectl", "kustomize", dir.toString()));
        Object parsed = new KubernetesSerialization().unmarshal(yaml);
        if (parsed instanceof KubernetesList list) {
            return list.getItems();
        }
        if (parsed instanceof List<?> list) {
            return list.stream().map(HasMetadata.class::cast).toList();
        }
        return List.of((HasMetadata) parsed);
    }

    private static String run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run '" + command.get(0) + "' (" + e.getMessage() + "): these tests "
                    + "render k8s/ with 'kubectl kustomize', which needs no cluster; install kubectl (1.27 or newer, "
                    + "with kustomize 5) and put it on the PATH", e);
        }
        try {
            process.getOutputStream().close();
            // Drain stderr aside so a chatty kubectl cannot block on a full pipe.
            var stderr = process.getErrorStream();
            var err = new java.io.ByteArrayOutputStream();
            Thread drain = new Thread(() -> {
                try {
                    stderr.transferTo(err);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            drain.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
            }
            drain.join();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                        + "): " + err.toString(StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
