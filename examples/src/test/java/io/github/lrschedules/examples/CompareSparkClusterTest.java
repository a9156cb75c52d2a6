package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.spark.SparkSteps;
import io.github.lrschedules.spark.cluster.LoopbackCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@code compare --master spark://127.0.0.1:PORT} against a standalone cluster that {@code spark-cluster start}
 * started on loopback (a Master and two Workers of one core, separate JVMs run from the examples' jars): the run
 * trains on the cluster's two executors and writes the same report as {@code compare --master local[2]}, with the
 * steps a local[2] run counts ({@code SparkSteps.perEpoch(12, 2, 6) = 6} per epoch: one averaging round of 6
 * mini-batches on each Worker, so that the test runs few Spark jobs); {@code spark-cluster stop}
 * ends every process, also when an assertion fails. A master that does not answer is one line of error, at once.
 */
class CompareSparkClusterTest {

    private static final int FREQUENCY = 6;
    private static final int STEPS_PER_EPOCH = SparkSteps.perEpoch(CompareSparkTest.BATCHES, 2, FREQUENCY);
    private static final Pattern MASTER_URL = Pattern.compile("(?m)^(spark://127\\.0\\.0\\.1:\\d+)$");

    @Test
    @Timeout(600)
    void compareOnALoopbackClusterCountsAndReportsAsLocalMode(@TempDir Path out) throws IOException {
        long started = System.nanoTime();
        Path dir = Paths.get("target", "spark-cluster-test").toAbsolutePath();
        Cli start = Cli.run("spark-cluster", "start", "--workers", "2", "--dir", dir.toString());
        try {
            assertThat(start.exitCode).as(start.toString()).isZero();
            Matcher url = MASTER_URL.matcher(start.out);
            assertThat(url.find()).as(start.out).isTrue();
            String master = url.group(1);
            assertThat(LoopbackCluster.running(dir)).contains(master);
            double upSeconds = (System.nanoTime() - started) / 1e9;

            Cli cli = Cli.run("compare", "--master", master, "--averaging-frequency", Integer.toString(FREQUENCY),
                    "--schedules", "warmcosine", "--data", "embedded", "--model", "mlp",
                    "--epochs", Integer.toString(CompareSparkTest.EPOCHS), "--batch", "32", "--train-limit", "400",
                    "--test-limit", "300", "--lr", Double.toString(CompareCommandTest.LR), "--target", "0.6",
                    "--out", out.toString(), "--no-progress");
            assertThat(cli.exitCode).as(cli.toString()).isZero();
            assertThat(cli.out + cli.err).contains("Spark " + master + ": parameter averaging (Direct mode")
                    .contains("2 workers").contains("6 steps per epoch of 12 mini-batches");
            for (String file : List.of("metrics.csv", "epochs.csv", "summary.csv", "summary.md", "lr.png",
                    "loss.png", "accuracy.png", "report.html", "stats.dl4j")) {
                assertThat(out.resolve(file)).as(file).isNotEmptyFile();
            }
            assertThat(out.resolve(".spark-export")).as("Direct mode exports nothing").doesNotExist();

            // the steps and rates of a local[2] run: 6 averaging rounds per epoch, the schedule sized to them
            int steps = STEPS_PER_EPOCH;
            assertThat(steps).isEqualTo(6);
            WarmupCosineSchedule expected = new WarmupCosineSchedule(ScheduleType.ITERATION, CompareCommandTest.LR,
                    steps / 2, CompareSparkTest.EPOCHS * steps, 0.0, 0.0);
            List<Map<String, String>> rows = Csv.read(out.resolve("metrics.csv")).where("schedule", "warmcosine");
            assertThat(rows).hasSize(CompareSparkTest.EPOCHS * steps);
            for (int k = 0; k < rows.size(); k++) {
                assertThat(Integer.parseInt(rows.get(k).get("iteration"))).isEqualTo(k);
                assertThat(Csv.number(rows.get(k), "lr")).as("warmcosine at step %d", k)
                        .isCloseTo(expected.valueAt(k, k / steps), within(1e-12));
            }
            assertThat(Csv.read(out.resolve("epochs.csv")).where("schedule", "warmcosine"))
                    .hasSize(CompareSparkTest.EPOCHS);
            Map<String, String> summary = Csv.read(out.resolve("summary.csv")).rows.get(0);
            assertThat(Csv.number(summary, "test_accuracy")).isBetween(0.5, 1.0);

            // the training ran in the Workers' executors, one per Worker
            for (String worker : List.of("work-0", "work-1")) {
                assertThat(executorLogs(dir.resolve(worker))).as(worker).hasSize(1);
            }
            System.out.printf("CompareSparkClusterTest: cluster up in %.1f s, compare done at %.1f s%n", upSeconds,
                    (System.nanoTime() - started) / 1e9);
        } finally {
            Cli stop = Cli.run("spark-cluster", "stop", "--dir", dir.toString());
            assertThat(stop.exitCode).as(stop.toString()).isZero();
            System.out.printf("CompareSparkClusterTest: %.1f s with the cluster's start and stop%n",
                    (System.nanoTime() - started) / 1e9);
        }
        assertThat(LoopbackCluster.running(dir)).isEmpty();
        assertThat(dir.resolve("pids")).isEmptyDirectory();
    }

    @Test
    @Timeout(60)
    void aMasterThatDoesNotAnswerIsOneLineOfError(@TempDir Path out) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        long started = System.nanoTime();
        Cli cli = Cli.run("compare", "--master", "spark://127.0.0.1:" + port, "--schedules", "constant",
                "--data", "embedded", "--epochs", "1", "--train-limit", "200", "--test-limit", "100",
                "--out", out.toString(), "--no-progress");
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(ExamplesException.EXIT_CODE);
        assertThat(cli.err.strip().lines()).as(cli.err).hasSize(1);
        assertThat(cli.err).startsWith("error: cannot reach the Spark master spark://127.0.0.1:" + port)
                .contains("examples/run spark-cluster start");
        assertThat(seconds).isLessThan(30);
        assertThat(out.resolve("metrics.csv")).doesNotExist();
    }

    @Test
    void stopWithoutAClusterSaysSo(@TempDir Path dir) {
        Cli stop = Cli.run("spark-cluster", "stop", "--dir", dir.toString());
        assertThat(stop.exitCode).isZero();
        assertThat(stop.out).contains("no cluster runs from");
        Cli status = Cli.run("spark-cluster", "status", "--dir", dir.toString());
        assertThat(status.exitCode).isEqualTo(ExamplesException.EXIT_CODE);
    }

    private static List<Path> executorLogs(Path workDir) throws IOException {
        if (!Files.isDirectory(workDir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(workDir)) {
            return walk.filter(p -> p.getFileName().toString().equals("stderr")).collect(Collectors.toList());
        }
    }
}
