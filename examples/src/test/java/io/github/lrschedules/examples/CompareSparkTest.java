package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.spark.SparkSteps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@code compare --master local[2]}: the same schedules trained with DL4J's parameter averaging in Spark local mode
 * (loopback only), with the same report as {@code compare}. Every epoch of 12 mini-batches on 2 workers averaging
 * every 2 is {@code SparkSteps.perEpoch(12, 2, 2) = 6} ITERATION steps, and the schedules are sized to them.
 */
class CompareSparkTest {

    static final int BATCHES = 12;
    static final int STEPS_PER_EPOCH = SparkSteps.perEpoch(BATCHES, 2, 2);
    static final int EPOCHS = 2;

    @Test
    void sparkRunWritesTheReportWithTheRatesTheWorkersApplied(@TempDir Path out) throws IOException {
        assertThat(STEPS_PER_EPOCH).isEqualTo(6);
        Cli cli = Cli.run("compare", "--master", "local[2]", "--averaging-frequency", "2",
                "--schedules", "warmcosine,plateau", "--plateau-patience", "0", "--data", "embedded",
                "--model", "mlp", "--epochs", Integer.toString(EPOCHS), "--batch", "32", "--train-limit", "400",
                "--test-limit", "300", "--lr", Double.toString(CompareCommandTest.LR), "--target", "0.6",
                "--out", out.toString(), "--no-progress");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out + cli.err).contains("Spark local[2]: parameter averaging").contains("2 workers")
                .contains("6 steps per epoch of 12 mini-batches");
        for (String file : List.of("metrics.csv", "epochs.csv", "summary.csv", "summary.md", "lr.png", "loss.png",
                "accuracy.png", "report.html", "stats.dl4j")) {
            assertThat(out.resolve(file)).as(file).isNotEmptyFile();
        }
        assertThat(out.resolve(".spark-export")).as("Export mode's mini-batches are removed").doesNotExist();

        Csv metrics = Csv.read(out.resolve("metrics.csv"));
        // warmup over half an epoch of averaging rounds, then cosine to 0 at the end of the Spark run
        WarmupCosineSchedule expected = new WarmupCosineSchedule(ScheduleType.ITERATION, CompareCommandTest.LR,
                STEPS_PER_EPOCH / 2, EPOCHS * STEPS_PER_EPOCH, 0.0, 0.0);
        List<Map<String, String>> rows = metrics.where("schedule", "warmcosine");
        assertThat(rows).hasSize(EPOCHS * STEPS_PER_EPOCH);
        for (int k = 0; k < rows.size(); k++) {
            assertThat(Integer.parseInt(rows.get(k).get("iteration"))).isEqualTo(k);
            assertThat(Csv.number(rows.get(k), "lr")).as("warmcosine at step %d", k)
                    .isCloseTo(expected.valueAt(k, k / STEPS_PER_EPOCH), within(1e-12));
        }
        List<Map<String, String>> plateau = metrics.where("schedule", "plateau");
        assertThat(plateau).hasSize(EPOCHS * STEPS_PER_EPOCH);
        assertThat(Csv.number(plateau.get(0), "lr")).isEqualTo(CompareCommandTest.LR);

        Csv epochs = Csv.read(out.resolve("epochs.csv"));
        assertThat(epochs.where("schedule", "plateau")).hasSize(EPOCHS);
        Csv summary = Csv.read(out.resolve("summary.csv"));
        assertThat(summary.rows).extracting(r -> r.get("schedule")).containsExactly("warmcosine", "plateau");
        for (Map<String, String> row : summary.rows) {
            // ten classes: chance is 10%
            assertThat(Csv.number(row, "test_accuracy")).as(row.get("schedule")).isBetween(0.5, 1.0);
        }
    }

    /**
     * Spark's shuffle calls a constructor of lz4-java 1.7.1 that MapDB's lz4 1.3.0 (same classes) lacks: with both on
     * the class path a comparison of the default size failed with NoSuchMethodError. One provider only.
     */
    @Test
    void oneLz4OnTheClassPath() throws IOException {
        List<java.net.URL> providers = java.util.Collections.list(getClass().getClassLoader()
                .getResources("net/jpountz/lz4/LZ4BlockInputStream.class"));
        assertThat(providers).hasSize(1);
        assertThat(providers.get(0).toString()).contains("lz4-java-1.7.1");
    }

    @Test
    void scheduleFreeUpdatersAreRefusedOnSpark(@TempDir Path out) {
        Cli cli = Cli.run("compare", "--master", "local[2]", "--schedules", "constant,sfsgd", "--data", "embedded",
                "--epochs", "1", "--out", out.toString(), "--no-progress");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err).contains("'sfsgd' does not run with --master");
        assertThat(Files.exists(out.resolve("metrics.csv"))).isFalse();
    }

    @Test
    void averagingFrequencyMustBePositive(@TempDir Path out) {
        Cli cli = Cli.run("compare", "--master", "local[2]", "--averaging-frequency", "0", "--data", "embedded",
                "--out", out.toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err).contains("--averaging-frequency").contains("0 (must be >= 1)");
    }
}
