package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command, down to each benchmark, prints its usage for --help and exits 0, even without its parameters. */
class PocketMeshCliHelpTest {
    @Test
    void everyCommandAnswersHelpWithItsOwnUsage() {
        List<List<String>> paths = new ArrayList<>();
        collect(PocketMeshCli.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).as("commands found").hasSizeGreaterThan(10)
                .contains(List.of("compress"), List.of("bench", "learners"), List.of("bench", "deploy"));
        for (List<String> path : paths) {
            CommandLine cli = PocketMeshCli.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            int exit = cli.execute(args.toArray(String[]::new));
            assertThat(exit).as("exit of %s --help (stderr: %s)", path, err).isZero();
            assertThat(out.toString()).as("usage of %s", path)
                    .startsWith("Usage: pocketmesh" + (path.isEmpty() ? "" : " " + String.join(" ", path)));
        }
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> into) {
        into.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            List<String> next = new ArrayList<>(path);
            next.add(name);
            collect(sub, next, into);
        });
    }
}
