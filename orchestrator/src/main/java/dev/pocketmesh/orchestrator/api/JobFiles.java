package dev.pocketmesh.orchestrator.api;

import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Rules for serving a job's files over HTTP: which paths are allowed, and what type each file is. */
final class JobFiles {
    /** Plain names only: no empty, "." or ".." segments, no backslashes, no absolute paths, no URL tricks. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Map<String, String> TYPES = Map.of(
            "json", MediaType.APPLICATION_JSON,
            "md", "text/markdown; charset=utf-8",
            "html", "text/html; charset=utf-8",
            "png", "image/png",
            "txt", "text/plain; charset=utf-8");

    private JobFiles() {
    }

    /** The path when it stays inside the job's directory, else empty. */
    static Optional<String> confine(String path) {
        if (path == null || path.isEmpty() || path.length() > 512) {
            return Optional.empty();
        }
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.contains("..")) {
                return Optional.empty();
            }
        }
        return Optional.of(path);
    }

    static String mediaType(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? MediaType.APPLICATION_OCTET_STREAM
                : TYPES.getOrDefault(path.substring(dot + 1), MediaType.APPLICATION_OCTET_STREAM);
    }
}
