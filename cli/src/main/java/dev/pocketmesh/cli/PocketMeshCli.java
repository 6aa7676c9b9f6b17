package dev.pocketmesh.cli;

import dev.pocketmesh.cli.commands.BenchCommand;
import dev.pocketmesh.cli.commands.CompressCommand;
import dev.pocketmesh.cli.commands.DownCommand;
import dev.pocketmesh.cli.commands.ReportCommand;
import dev.pocketmesh.cli.commands.StatusCommand;
import dev.pocketmesh.cli.commands.SubmitCommand;
import dev.pocketmesh.cli.commands.UpCommand;
import dev.pocketmesh.cli.commands.WatchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./pocketmesh}: run the mesh on this machine, submit and follow jobs, run benchmarks. */
// INHERIT: every subcommand (compress, bench learners, ...) answers --help and --version too.
@Command(name = "pocketmesh", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "pocketmesh 0.1.0",
        description = "Automated model compression on an event-driven mesh of services.",
        subcommands = {UpCommand.class, DownCommand.class, SubmitCommand.class, WatchCommand.class,
            StatusCommand.class, CompressCommand.class, ReportCommand.class, BenchCommand.class})
public final class PocketMeshCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with PocketMesh's error handling: a one-line message, the stack trace only on request. */
    public static CommandLine commandLine() {
        // Enum options are written in lower case (--distillation on); picocli matches them to the constants.
        return new CommandLine(new PocketMeshCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + e.getMessage());
                    if (System.getenv("POCKETMESH_DEBUG") != null) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return 1;
                });
    }
}
