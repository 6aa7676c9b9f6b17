package dev.pocketmesh.cli.bench;

import java.util.List;

/** The machine line every benchmark prints beside its numbers. */
public final class BenchMachine {
    /**
     * The vector extensions that decide CPU kernel speed, int8 above all: without VNNI, ONNX Runtime's int8
     * convolutions are no faster than its fp32 ones, so a latency table means little without this line.
     */
    static final List<String> SIMD_FLAGS = List.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8");

    private BenchMachine() {
    }

    public static String describe() {
        String cpu = "unknown CPU";
        String simd = "";
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && cpu.startsWith("unknown")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                } else if (line.startsWith("flags") && simd.isEmpty()) {
                    simd = simd(List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the core count and OS still say something
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + (simd.isEmpty() ? "" : "; " + simd)
                + "), " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
                + System.getProperty("java.version");
    }

    /** "SIMD avx2, no avx512f, ..." for the flags that matter, from the CPU's flag list. */
    static String simd(List<String> cpuFlags) {
        List<String> have = SIMD_FLAGS.stream().filter(cpuFlags::contains).toList();
        List<String> lack = SIMD_FLAGS.stream().filter(f -> !cpuFlags.contains(f)).toList();
        return "SIMD " + (have.isEmpty() ? "none of " + SIMD_FLAGS : String.join(" ", have)
                + (lack.isEmpty() ? "" : ", lacks " + String.join(" ", lack)));
    }
}
