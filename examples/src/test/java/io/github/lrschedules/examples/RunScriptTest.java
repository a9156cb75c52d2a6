package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/run} before it builds anything: which ND4J build it picks ({@code examples/native-build}: oneDNN on
 * an x86-64 CPU with AVX2, plain elsewhere or with {@code --plain}), and the CUDA check of {@code --cuda}, which must
 * answer in one line within seconds and before Maven is called. The machine is stood in for by a fake
 * {@code /proc/cpuinfo}, a fake {@code ldconfig} and {@code nvidia-smi} first on the PATH, a fake device folder and a
 * fake {@code mvn} that records that it was called.
 */
class RunScriptTest {

    @TempDir
    Path dir;

    private Path bin;
    private Path devices;
    private Path mvnCalled;

    @BeforeEach
    void fakeMachine() throws IOException {
        bin = Files.createDirectory(dir.resolve("bin"));
        devices = Files.createDirectory(dir.resolve("dev"));
        mvnCalled = dir.resolve("mvn-called");
        script(bin.resolve("mvn"), "echo \"$@\" > '" + mvnCalled + "'\necho 'fake mvn stops here'\nexit 3");
        ldconfig("");
        script(bin.resolve("nvidia-smi"), "echo 'NVIDIA-SMI has failed' >&2\nexit 9");
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void ldconfig(String libraries) throws IOException {
        script(bin.resolve("ldconfig"), "cat <<'LIBS'\n" + libraries + "LIBS");
    }

    private Path cpuinfo(String flags) throws IOException {
        return Files.writeString(dir.resolve("cpuinfo-" + flags.hashCode()),
                "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: " + flags + "\n\nprocessor\t: 1\nflags\t\t: "
                        + flags + "\n");
    }

    private static final String HASWELL = "fpu vme sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi2";
    private static final String SANDY_BRIDGE = "fpu vme sse sse2 ssse3 sse4_1 sse4_2 avx";

    private static final class Result {
        final int exitCode;
        final String output;
        final double seconds;

        Result(int exitCode, String output, double seconds) {
            this.exitCode = exitCode;
            this.output = output;
            this.seconds = seconds;
        }

        List<String> lines() {
            List<String> lines = new ArrayList<>();
            for (String line : output.split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
            return lines;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + " after " + seconds + " s:\n" + output;
        }
    }

    private Result run(String script, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", script));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("MVN", bin.resolve("mvn").toString());
        builder.environment().put("MAVEN_REPO", dir.resolve("m2").toString());
        builder.environment().put("EXAMPLES_DEV_DIR", devices.toString());
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output, (System.nanoTime() - start) / 1e9);
    }

    private Map<String, String> cpu(String arch, String flags) throws IOException {
        return Map.of("EXAMPLES_ARCH", arch, "EXAMPLES_CPUINFO", cpuinfo(flags).toString());
    }

    @Test
    void nativeBuildIsOneDnnOnlyOnX86WithAvx2() throws Exception {
        assertThat(run("native-build", cpu("x86_64", HASWELL)).output).isEqualTo("onednn\n");
        assertThat(run("native-build", cpu("x86_64", SANDY_BRIDGE)).output).isEqualTo("plain\n");
        // avx2 as a word only: "avx" alone or a flag that merely contains the letters does not count
        assertThat(run("native-build", cpu("x86_64", "sse avx avx2x")).output).isEqualTo("plain\n");
        assertThat(run("native-build", cpu("aarch64", "fp asimd avx2")).output).isEqualTo("plain\n");
        assertThat(run("native-build", Map.of("EXAMPLES_ARCH", "x86_64", "EXAMPLES_CPUINFO",
                dir.resolve("none").toString())).output).isEqualTo("plain\n");
    }

    @Test
    void avx2PicksTheOneDnnBuildAndSaysSoInOneLine() throws Exception {
        Result auto = run("run", cpu("x86_64", HASWELL), "--help");
        assertThat(auto.lines().get(0)).as(auto.toString()).isEqualTo("examples/run: this CPU has AVX2: ND4J's oneDNN"
                + " build with DL4J's layer helpers (--plain: DL4J exactly as it ships)");
        assertThat(mvnCalled).as("then builds").exists();
        assertThat(auto.exitCode).isEqualTo(1);
        assertThat(auto.output).contains("fake mvn stops here", "build failed");
    }

    @Test
    void plainAndOtherCpusGetThePlainBuildWithoutALine() throws Exception {
        for (Result result : List.of(run("run", cpu("x86_64", HASWELL), "--plain", "--help"),
                run("run", cpu("x86_64", SANDY_BRIDGE), "--help"))) {
            assertThat(result.output).as(result.toString()).doesNotContain("oneDNN").contains("fake mvn stops here");
        }
        Files.delete(mvnCalled);
        Result refused = run("run", cpu("aarch64", "fp asimd"), "--onednn", "--help");
        assertThat(refused.exitCode).isEqualTo(1);
        assertThat(refused.lines()).containsExactly("examples/run: --onednn: ND4J's oneDNN build needs an x86-64 CPU"
                + " with AVX2, which this is not; run with --plain");
        assertThat(mvnCalled).doesNotExist();
    }

    @Test
    void cudaWithoutADriverIsOneLineWithinSecondsBeforeAnyBuild() throws Exception {
        Result result = run("run", Map.of(), "--cuda", "compare");
        assertThat(result.exitCode).as(result.toString()).isEqualTo(1);
        assertThat(result.lines()).as(result.toString()).containsExactly("examples/run: --cuda: CUDA cannot run here:"
                + " no NVIDIA driver (libcuda.so is not in `ldconfig -p`, and there is no working nvidia-smi); run"
                + " without --cuda to train on the CPU");
        assertThat(result.seconds).isLessThan(5);
        assertThat(mvnCalled).as("nothing built or downloaded").doesNotExist();
    }

    @Test
    void cudaWithADriverButNoGpuIsOneLineToo() throws Exception {
        ldconfig("\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n");
        Result result = run("run", Map.of(), "--cuda", "compare");
        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.lines()).as(result.toString()).containsExactly("examples/run: --cuda: CUDA cannot run here:"
                + " no NVIDIA GPU (no /dev/nvidia0 device, and nvidia-smi lists no GPU); run without --cuda to train"
                + " on the CPU");
        assertThat(mvnCalled).doesNotExist();
    }

    @Test
    void cudaWithDriverAndDeviceGoesOnToTheCudaBuild() throws Exception {
        ldconfig("\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n");
        Files.createFile(devices.resolve("nvidia0"));
        Result result = run("run", Map.of(), "--cuda", "compare");
        assertThat(mvnCalled).as(result.toString()).exists();
        assertThat(result.output).doesNotContain("CUDA cannot run here");

        // nvidia-smi alone (a GPU it lists) is enough as well
        Files.delete(mvnCalled);
        Files.delete(devices.resolve("nvidia0"));
        ldconfig("");
        nvidiaSmi("NVIDIA GeForce RTX 3090", "8.6");
        Result smi = run("run", Map.of(), "--cuda", "compare");
        assertThat(mvnCalled).as(smi.toString()).exists();
        assertThat(smi.output).doesNotContain("CUDA cannot run here");
    }

    @Test
    void cudaOnAHopperGpuIsOneLineBeforeAnyBuildOrDownload() throws Exception {
        nvidiaSmi("NVIDIA H100 80GB HBM3", "9.0");
        Result result = run("run", Map.of(), "--cuda", "compare");
        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.lines()).as(result.toString()).containsExactly("examples/run: --cuda: CUDA cannot run here:"
                + " the GPU (NVIDIA H100 80GB HBM3) has compute capability 9.0, and ND4J 1.0.0-M2.1's only CUDA build"
                + " (nd4j-cuda-11.6) has machine code for compute capability 3.7 to 8.6 and no PTX: it runs on Kepler"
                + " to Ada GPUs (an sm_89 Ada GPU runs the sm_86 code), not on Hopper (H100, H200) or Blackwell; run"
                + " without --cuda to train on the CPU");
        assertThat(mvnCalled).doesNotExist();
    }

    @Test
    void cudaOnAnAdaGpuGoesOnToTheCudaBuild() throws Exception {
        nvidiaSmi("NVIDIA L4", "8.9");
        Result result = run("run", Map.of(), "--cuda", "compare");
        assertThat(mvnCalled).as(result.toString()).exists();
        assertThat(result.output).doesNotContain("CUDA cannot run here");
    }

    /** A stand-in nvidia-smi that lists one GPU and answers the compute-capability query as the real one does. */
    private void nvidiaSmi(String name, String computeCapability) throws Exception {
        script(bin.resolve("nvidia-smi"), "case \"$*\" in\n"
                + "  *--query-gpu=name,compute_cap*) echo '" + name + ", " + computeCapability + "' ;;\n"
                + "  *) echo 'GPU 0: " + name + " (UUID: GPU-0)' ;;\n"
                + "esac");
    }
}
