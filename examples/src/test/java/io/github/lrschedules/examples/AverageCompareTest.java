package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.examples.schedule.Averaging;
import io.github.lrschedules.examples.train.Trainer;
import io.github.lrschedules.record.EpochMetricsReport;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.spark.SparkSteps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@code compare --average}: every schedule's run keeps a weight average and reports the test accuracy at the
 * averaged weights after every epoch. Two averages whose value is known without training: an EMA with decay 0 and the
 * first SWA update are copies of the training weights, so their accuracy is the epoch's test accuracy exactly. On the
 * embedded digits (360 training images, 40 held out, 300 test images, batches of 32: 12 per epoch).
 */
class AverageCompareTest {

    static final int BATCHES = 12;

    @TempDir
    Path out;

    private Cli compare(String... more) {
        List<String> args = new ArrayList<>(List.of("compare", "--data", "embedded", "--batch", "32", "--train-limit",
                "400", "--test-limit", "300", "--target", "0.6", "--out", out.toString(), "--no-progress"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(new String[0]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet"})
    void anEmaWithDecayZeroReportsTheTestAccuracyOfEveryEpoch(String model) throws IOException {
        // the model's default learning rate (mlp 0.1, lenet 0.05)
        Cli cli = compare("--model", model, "--epochs", "2", "--schedules", "warmcosine", "--average", "ema:0");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("Weight averaging (--average ema:0.0): every schedule's run also keeps an EMA")
                .contains("averaged acc");

        Csv epochs = Csv.read(out.resolve("epochs.csv"));
        assertThat(epochs.header).as("the existing columns first, in their order").startsWith("schedule", "epoch",
                "lr", "train_loss", "val_loss", "val_accuracy", "test_loss", "test_accuracy", "seconds",
                "train_seconds").endsWith("averaged_test_accuracy", "averaged_test_loss");
        assertThat(epochs.rows).hasSize(2);
        for (Map<String, String> row : epochs.rows) {
            assertThat(Csv.number(row, "test_accuracy")).as("trained, not diverged: %s", row).isGreaterThan(0.3);
            assertThat(Csv.number(row, "averaged_test_accuracy")).as(row.toString())
                    .isEqualTo(Csv.number(row, "test_accuracy"));
            assertThat(Csv.number(row, "averaged_test_loss")).as(row.toString())
                    .isEqualTo(Csv.number(row, "test_loss"));
        }
        Csv summary = Csv.read(out.resolve("summary.csv"));
        assertThat(summary.header).endsWith("diverged_epoch", "averaged_test_accuracy");
        for (Map<String, String> row : summary.rows) {
            assertThat(Csv.number(row, "averaged_test_accuracy")).isEqualTo(Csv.number(row, "test_accuracy"));
        }
        // the Schedules page's data: both accuracies per epoch, beside each other
        Map<String, Map<Integer, Map<String, Double>>> metrics = epochMetrics(out);
        assertThat(metrics.keySet()).containsExactly("warmcosine");
        for (Map<String, String> row : epochs.rows) {
            Map<String, Double> m = metrics.get(row.get("schedule")).get(Integer.parseInt(row.get("epoch")));
            assertThat(m.get(Trainer.AVERAGED_TEST_ACCURACY)).isEqualTo(Csv.number(row, "averaged_test_accuracy"));
            assertThat(m.get(EpochMetricsReport.TEST_ACCURACY)).isEqualTo(Csv.number(row, "test_accuracy"));
        }
    }

    @Test
    void withoutAverageTheOutputsKeepTheirColumns() throws IOException {
        Cli cli = compare("--model", "mlp", "--lr", "0.1", "--epochs", "1", "--schedules", "constant");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).doesNotContain("averaged").doesNotContain("Weight averaging");
        assertThat(Csv.read(out.resolve("epochs.csv")).header).containsExactly("schedule", "epoch", "lr", "train_loss",
                "val_loss", "val_accuracy", "test_loss", "test_accuracy", "seconds", "train_seconds");
        assertThat(Csv.read(out.resolve("summary.csv")).header).last().isEqualTo("diverged_epoch");
    }

    /**
     * swa:1 of 3 epochs: no average after epoch 0, a copy after epoch 1, the mean of the weights after epochs 1 and 2
     * after epoch 2; from epoch 1 on the learning rate is held at warmcosine's value at epoch 1's first iteration.
     */
    @Test
    void swaAveragesFromItsStartEpochAndHoldsTheRateThere() throws IOException {
        Cli cli = compare("--model", "mlp", "--lr", "0.1", "--epochs", "3", "--schedules", "warmcosine", "--average",
                "swa:1");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("SWA, the equal average of the weights at the end of every epoch from epoch 1");

        List<Map<String, String>> epochs = Csv.read(out.resolve("epochs.csv")).rows;
        assertThat(epochs.get(0).get("averaged_test_accuracy")).isEmpty();
        assertThat(epochs.get(0).get("averaged_test_loss")).isEmpty();
        assertThat(Csv.number(epochs.get(1), "averaged_test_accuracy"))
                .isEqualTo(Csv.number(epochs.get(1), "test_accuracy"));
        assertThat(Csv.number(epochs.get(1), "averaged_test_loss")).isEqualTo(Csv.number(epochs.get(1), "test_loss"));
        assertThat(Csv.number(epochs.get(2), "averaged_test_accuracy")).isBetween(0.5, 1.0);
        assertThat(Csv.number(epochs.get(2), "averaged_test_loss")).as("the mean of two weights is not either")
                .isNotEqualTo(Csv.number(epochs.get(2), "test_loss"));

        WarmupCosineSchedule warmcosine = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, BATCHES / 2,
                3 * BATCHES, 0.0, 0.0);
        double held = warmcosine.valueAt(BATCHES, 1);
        List<Map<String, String>> rows = Csv.read(out.resolve("metrics.csv")).rows;
        assertThat(rows).hasSize(3 * BATCHES);
        for (Map<String, String> row : rows) {
            int iteration = Integer.parseInt(row.get("iteration"));
            double expected = iteration < BATCHES ? warmcosine.valueAt(iteration, 0) : held;
            // recorded as the updater applied it, in float32
            assertThat(Csv.number(row, "lr")).as("iteration %d", iteration).isCloseTo(expected, within(1e-7));
        }
    }

    /** On Spark the driver loop updates the average after every epoch, before the trainer evaluates it. */
    @Test
    void swaOnSparkAveragesTheDriversNetwork() throws IOException {
        int steps = SparkSteps.perEpoch(BATCHES, 2, 2);
        Cli cli = compare("--model", "mlp", "--lr", "0.1", "--epochs", "2", "--schedules", "warmcosine", "--average",
                "swa:1", "--master", "local[2]", "--averaging-frequency", "2");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        List<Map<String, String>> epochs = Csv.read(out.resolve("epochs.csv")).rows;
        assertThat(epochs.get(0).get("averaged_test_accuracy")).isEmpty();
        assertThat(Csv.number(epochs.get(1), "averaged_test_accuracy"))
                .isEqualTo(Csv.number(epochs.get(1), "test_accuracy"));
        WarmupCosineSchedule warmcosine = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, steps / 2, 2 * steps,
                0.0, 0.0);
        List<Map<String, String>> rows = Csv.read(out.resolve("metrics.csv")).rows;
        assertThat(rows).hasSize(2 * steps);
        assertThat(Csv.number(rows.get(rows.size() - 1), "lr")).isCloseTo(warmcosine.valueAt(steps, 1),
                within(1e-7));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--average foo                    | 'foo': unknown average; valid: ema, ema:DECAY, swa, swa:START_EPOCH",
        "--average ema:1.5                | 'ema:1.5': the EMA decay (1.5) must be in [0, 1)",
        "--average ema:NaN                | 'ema:NaN': the EMA decay (NaN) must be in [0, 1)",
        "--average ema:0.9x               | 'ema:0.9x': the EMA decay '0.9x' is not a number",
        "--average swa:-1                 | 'swa:-1': the SWA start epoch (-1) must be in [0, 2]",
        "--average swa:3                  | 'swa:3': the SWA start epoch (3) must be in [0, 2]",
        "--average swa:                   | 'swa:': the SWA start epoch '' is not a whole number",
        "--average ema --master local[2]  | 'ema' does not run with --master",
        "--average ema --schedules sfsgd  | 'ema' with schedule 'sfsgd': the schedule-free updaters",
    })
    void badValuesAreOneErrorNamingTheOptionAndValue(String options, String message) {
        List<String> args = new ArrayList<>(List.of("compare", "--epochs", "3"));
        args.addAll(List.of(options.split(" ")));
        Cli cli = Cli.run(args.toArray(new String[0]));
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).as(cli.toString()).contains("error: Invalid value for option '--average': " + message);
        assertThat(cli.out).isEmpty();
    }

    @Test
    void helpSaysTheDefaults() {
        Cli cli = Cli.run("compare", "--help");
        assertThat(cli.exitCode).isZero();
        assertThat(cli.out.replaceAll("\\s+", " ")).contains("--average=ema[:DECAY]|swa[:START_EPOCH]",
                "decay DECAY (default 0.999) with timm's warmup", "default 75% of --epochs");
        assertThat(cli.err).doesNotContain("Could not format");
    }

    @Test
    void swaStartsAtThreeQuartersOfTheEpochsByDefault() {
        assertThat(Averaging.parse("swa", 15).startEpoch()).isEqualTo(11);
        assertThat(Averaging.parse("swa", 4).startEpoch()).isEqualTo(3);
        assertThat(Averaging.parse("swa", 1).startEpoch()).isZero();
        assertThat(Averaging.parse("ema", 15).decay()).isEqualTo(Averaging.DEFAULT_DECAY);
    }

    /** Per session: the latest metrics of every epoch in stats.dl4j. */
    private static Map<String, Map<Integer, Map<String, Double>>> epochMetrics(Path dir) {
        Map<String, Map<Integer, Map<String, Double>>> sessions = new TreeMap<>();
        FileStatsStorage storage = new FileStatsStorage(dir.resolve("stats.dl4j").toFile());
        try {
            for (String session : storage.listSessionIDs()) {
                for (String worker : storage.listWorkerIDsForSessionAndType(session, EpochMetricsReport.TYPE_ID)) {
                    for (Persistable p : storage.getAllUpdatesAfter(session, EpochMetricsReport.TYPE_ID, worker, 0)) {
                        EpochMetricsReport report = (EpochMetricsReport) p;
                        sessions.computeIfAbsent(session, s -> new TreeMap<>()).put(report.getEpoch(),
                                report.getMetrics());
                    }
                }
            }
        } finally {
            storage.close();
        }
        return sessions;
    }
}
