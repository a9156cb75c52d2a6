package io.github.lrschedules.spark.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link LoopbackCluster} and {@link ApplicationJars} do without starting a process: bad arguments, a folder it
 * must not empty, stale pid files, class folders packed; the cluster itself runs in {@code SparkClusterFaultTest} and
 * the examples' {@code CompareSparkClusterTest}.
 */
class LoopbackClusterTest {

    @Test
    void badArgumentsAreNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> LoopbackCluster.start(dir, 0, "1g", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("workers (0) must be >= 1");
        assertThatThrownBy(() -> LoopbackCluster.start(dir, 1, "lots", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("workerMemory (lots) must be");
    }

    @Test
    void aFolderOfOtherFilesIsNotEmptied(@TempDir Path dir) throws IOException {
        Path precious = Files.writeString(dir.resolve("notes.txt"), "mine", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> LoopbackCluster.start(dir, 1, "1g", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is neither empty nor a cluster"
                        + " folder");
        assertThat(precious).hasContent("mine");
    }

    @Test
    void pidFilesOfProcessesThatAreNotSparkAreLeftAlone(@TempDir Path dir) throws IOException {
        assertThat(LoopbackCluster.running(dir)).isEmpty();
        assertThat(LoopbackCluster.stop(dir)).isZero();
        Path pids = Files.createDirectories(dir.resolve("pids"));
        // this JVM is alive but no Spark Master: neither running nor killed
        Files.writeString(pids.resolve("master.pid"), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
        Files.writeString(pids.resolve("worker-0.pid"), "not a pid\n", StandardCharsets.UTF_8);
        assertThat(LoopbackCluster.running(dir)).isEmpty();
        assertThat(LoopbackCluster.stop(dir)).isZero();
        assertThat(pids).isEmptyDirectory();
    }

    @Test
    void classFoldersArePackedAfterTheJars(@TempDir Path dir) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes").resolve("a"));
        Files.writeString(classes.resolve("A.class"), "first", StandardCharsets.UTF_8);
        Path other = Files.createDirectories(dir.resolve("other").resolve("a"));
        Files.writeString(other.resolve("A.class"), "second", StandardCharsets.UTF_8);
        Files.writeString(other.resolve("B.class"), "b", StandardCharsets.UTF_8);
        Path jar = Files.writeString(dir.resolve("lib.jar"), "", StandardCharsets.UTF_8);
        List<Path> jars = ApplicationJars.jars(List.of(dir.resolve("classes"), jar, dir.resolve("missing.jar"),
                dir.resolve("other")), dir.resolve("out").resolve("classes.jar"));
        assertThat(jars).containsExactly(jar, dir.resolve("out").resolve("classes.jar"));
        try (JarFile packed = new JarFile(jars.get(1).toFile())) {
            assertThat(new String(packed.getInputStream(packed.getEntry("a/A.class")).readAllBytes(),
                    StandardCharsets.UTF_8)).as("the first folder wins").isEqualTo("first");
            assertThat(packed.getEntry("a/B.class")).isNotNull();
        }
    }
}
