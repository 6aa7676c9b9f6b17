package dev.pocketmesh.cli.commands;

import dev.pocketmesh.cli.mesh.LocalMesh;
import dev.pocketmesh.cli.mesh.MeshState;
import dev.pocketmesh.cli.mesh.ServiceInfo;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", description = "Start Redis, Kafka and the services on this machine, in the background.")
public final class UpCommand implements Callable<Integer> {
    @Mixin
    MeshOptions mesh;

    @Option(names = "--workers", defaultValue = "2", description = "Trial workers to start (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--kafka-port", defaultValue = "9092")
    int kafkaPort;

    @Option(names = "--redis-port", defaultValue = "6379")
    int redisPort;

    @Option(names = "--orchestrator-port", defaultValue = "8080")
    int orchestratorPort;

    @Option(names = "--hpo-port", defaultValue = "8081")
    int hpoPort;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        MeshState running = MeshState.read(mesh.home()).filter(MeshState::isAlive).orElse(null);
        if (running != null) {
            out.println("the mesh is already up (home " + mesh.home() + ")");
            printWhere(running, out);
            return 0;
        }
        LocalMesh started = LocalMesh.start(LocalMesh.Options.defaults(mesh.home(), workers)
                .withPorts(kafkaPort, redisPort, orchestratorPort, hpoPort), out::println);
        printWhere(started.state(), out);
        out.println("stop it with: ./pocketmesh down" + (mesh.home != null ? " --home " + mesh.home() : ""));
        return 0;
    }

    static void printWhere(MeshState state, PrintStream out) {
        out.println("Kafka         " + state.kafkaBootstrap());
        out.println("Redis         " + state.redisUrl());
        for (ServiceInfo s : state.services()) {
            out.printf("%-13s %s  (pid %d, log %s)%n", s.name(), s.url(), s.pid(), s.logFile());
        }
        out.println("Dashboard     " + state.orchestratorUrl() + "/");
    }
}
