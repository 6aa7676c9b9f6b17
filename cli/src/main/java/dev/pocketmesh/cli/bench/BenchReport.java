package dev.pocketmesh.cli.bench;

import dev.pocketmesh.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every benchmark leaves behind: {@code <name>.json} and {@code <name>.md} under the output directory. */
public interface BenchReport {
    /** The benchmark's command name, which names its files. */
    String benchmark();

    /** The result as a Markdown table with the machine it ran on. */
    String markdown();

    /** What {@code <name>.json} holds: the report itself unless a benchmark adds a summary around it. */
    default Object json() {
        return this;
    }

    /** Writes both files and returns them, JSON first. */
    default Path[] write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve(benchmark() + ".json");
        Path md = dir.resolve(benchmark() + ".md");
        Files.writeString(json, Json.writePretty(json()));
        Files.writeString(md, "# " + benchmark() + "\n\n" + markdown());
        return new Path[] {json, md};
    }
}
