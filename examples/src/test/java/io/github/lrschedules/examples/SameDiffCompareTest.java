package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.samediff.SameDiffStatsListener;
import io.github.lrschedules.ui.LearningRateBlock;
import io.github.lrschedules.ui.LearningRateReports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare --api samediff}: the MLP as a SameDiff graph, with the same report files, and what it refuses. */
class SameDiffCompareTest {

    private static final int EPOCHS = 2;
    private static final List<String> SCHEDULES = List.of("constant", "plateau", "sfsgd");

    @Test
    void aSameDiffRunWritesTheReportFiles(@TempDir Path out) throws IOException {
        Cli cli = Cli.run("compare", "--api", "samediff", "--data", "embedded", "--model", "mlp", "--epochs",
                String.valueOf(EPOCHS), "--batch", "32", "--train-limit", "400", "--test-limit", "300",
                "--schedules", String.join(",", SCHEDULES), "--plateau-patience", "0", "--out", out.toString(),
                "--no-progress");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("API: SameDiff");
        for (String name : List.of("stats.dl4j", "metrics.csv", "epochs.csv", "summary.csv", "summary.md",
                "report.html", "lr.png", "loss.png", "accuracy.png")) {
            assertThat(out.resolve(name)).as(name).exists();
            assertThat(Files.size(out.resolve(name))).as(name).isPositive();
        }
        Csv metrics = Csv.read(out.resolve("metrics.csv"));
        Csv epochs = Csv.read(out.resolve("epochs.csv"));
        Csv summary = Csv.read(out.resolve("summary.csv"));
        for (String s : SCHEDULES) {
            List<Map<String, String>> rows = metrics.where("schedule", s);
            // the 400 images less the held-out split, in batches of 32: the same count on every epoch
            assertThat(rows).as(s).hasSizeGreaterThanOrEqualTo(2 * 10);
            assertThat(rows.size() % EPOCHS).as(s).isZero();
            for (Map<String, String> row : rows) {
                // the loss the backend computes itself (SameDiff reports 0.0 in M2.1): a real cross-entropy
                assertThat(Csv.number(row, "loss")).as("%s loss", s).isGreaterThan(0.0).isLessThan(10.0);
            }
            List<Map<String, String>> perEpoch = epochs.where("schedule", s);
            assertThat(perEpoch).as(s).hasSize(EPOCHS);
            // measured on the weights of each epoch, not once
            assertThat(Csv.number(perEpoch.get(1), "val_loss")).as(s)
                    .isNotEqualTo(Csv.number(perEpoch.get(0), "val_loss"));
            double accuracy = Csv.number(summary.where("schedule", s).get(0), "test_accuracy");
            // ten classes: chance is 10%
            assertThat(accuracy).as(s).isBetween(0.4, 1.0);
        }
        double lr = Csv.number(metrics.where("schedule", "constant").get(0), "lr");
        for (Map<String, String> row : metrics.where("schedule", "constant")) {
            assertThat(Csv.number(row, "lr")).isCloseTo(lr, within(1e-12));
        }
        FileStatsStorage storage = new FileStatsStorage(out.resolve("stats.dl4j").toFile());
        try {
            assertThat(storage.listSessionIDs()).containsExactlyInAnyOrderElementsOf(SCHEDULES);
            for (String s : SCHEDULES) {
                assertThat(storage.listWorkerIDsForSessionAndType(s, StatsListener.TYPE_ID)).as(s)
                        .contains(SameDiffStatsListener.WORKER_ID);
                assertThat(storage.listWorkerIDsForSessionAndType(s, LearningRateBlock.TYPE_ID)).as(s)
                        .containsExactly(LearningRateReports.WORKER_ID);
                assertThat(LearningRateReports.read(storage, s, LearningRateReports.WORKER_ID).size()).as(s)
                        .isEqualTo(metrics.where("schedule", s).size());
            }
        } finally {
            storage.close();
        }
    }

    @Test
    void refusesWhatASameDiffRunCannotDo() {
        Cli lenet = Cli.run("compare", "--api", "samediff", "--model", "lenet", "--epochs", "1");
        assertThat(lenet.exitCode).isNotZero();
        assertThat(lenet.err).contains("--api samediff", "--model mlp");
        Cli spark = Cli.run("compare", "--api", "samediff", "--master", "local[2]", "--epochs", "1");
        assertThat(spark.exitCode).isNotZero();
        assertThat(spark.err).contains("--api samediff", "--master");
        Cli greedy = Cli.run("compare", "--api", "samediff", "--schedules", "constant,greedy", "--epochs", "1");
        assertThat(greedy.exitCode).isNotZero();
        assertThat(greedy.err).contains("'greedy' does not run with --api samediff");
        Cli averaged = Cli.run("compare", "--api", "samediff", "--average", "ema", "--epochs", "1");
        assertThat(averaged.exitCode).isNotZero();
        assertThat(averaged.err).contains("'--average'", "--api samediff");
        Cli unknown = Cli.run("compare", "--api", "tensorflow", "--epochs", "1");
        assertThat(unknown.exitCode).isNotZero();
        assertThat(unknown.err).contains("'--api'", "tensorflow");
    }
}
