package dev.pocketmesh.cli.commands;

import dev.pocketmesh.cli.mesh.LocalMesh;
import dev.pocketmesh.cli.mesh.MeshState;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "down", description = "Stop the local mesh started by 'up'.")
public final class DownCommand implements Callable<Integer> {
    @Mixin
    MeshOptions mesh;

    @Override
    public Integer call() {
        MeshState state = MeshState.read(mesh.home()).orElse(null);
        if (state == null) {
            System.out.println("no mesh is up (home " + mesh.home() + ")");
            return 0;
        }
        LocalMesh.stop(state, System.out::println);
        System.out.println("the mesh is down");
        return 0;
    }
}
