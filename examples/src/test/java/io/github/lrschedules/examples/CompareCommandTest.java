package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsReport;
import io.github.lrschedules.record.LearningRateTable;
import io.github.lrschedules.ui.LearningRateBlock;
import io.github.lrschedules.ui.LearningRateReports;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare} with every schedule on a slice of the embedded MNIST digits (400 training images, of which 40 held
 * out, 300 test images; 2 epochs of 12 batches of 32): every output is there and consistent, and the learning rate
 * recorded at every iteration is the one each schedule prescribes.
 */
class CompareCommandTest {

    static final List<String> SCHEDULES = List.of("constant", "milestone", "warmcosine", "restarts", "onecycle", "cyclic",
            "plateau");
    static final double LR = 0.1;
    static final int EPOCHS = 2;
    /** 360 training images in batches of 32. */
    static final int BATCHES = 12;
    static final int TOTAL = EPOCHS * BATCHES;

    @TempDir
    static Path out;
    static Cli cli;

    @BeforeAll
    static void runCompare() {
        cli = Cli.run("compare", "--data", "embedded", "--model", "mlp", "--epochs", "2", "--batch", "32",
                "--train-limit", "400", "--test-limit", "300", "--lr", Double.toString(LR), "--target", "0.6",
                "--out", out.toString(), "--no-progress");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
    }

    @Test
    void writesEveryOutput() throws IOException {
        for (String name : List.of("stats.dl4j", "metrics.csv", "epochs.csv", "summary.csv", "summary.md", "report.html",
                "lr.png", "loss.png", "accuracy.png", "overview.png")) {
            assertThat(out.resolve(name)).as(name).isRegularFile();
            assertThat(Files.size(out.resolve(name))).as(name).isPositive();
        }
        for (String png : List.of("lr.png", "loss.png", "accuracy.png")) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertThat(image).as(png).isNotNull();
            assertThat(image.getWidth()).as(png).isEqualTo(1000);
            assertThat(image.getHeight()).as(png).isEqualTo(560);
            assertThat(distinctColours(image)).as(png + " has curves in several colours").isGreaterThan(20);
        }
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("<img src=\"lr.png\"", "<img src=\"accuracy.png\"", "<img src=\"loss.png\"")
                .doesNotContain("http://", "https://", "<script");
        String md = Files.readString(out.resolve("summary.md"));
        for (String s : SCHEDULES) {
            assertThat(html).contains("<td>" + s + "</td>");
            assertThat(md).contains("| " + s + " | ");
            assertThat(cli.out).containsPattern("(?m)^" + s + " +[0-9.]+% ");
        }
        assertThat(cli.out).contains("Data: embedded MNIST subset", "360 training / 40 held-out / 300 test images",
                "Best final test accuracy: ");
    }

    @Test
    void everyScheduleLearnsFromTheSameStart() throws IOException {
        Csv summary = Csv.read(out.resolve("summary.csv"));
        assertThat(summary.header).startsWith("schedule", "test_accuracy", "best_accuracy", "best_epoch",
                "epochs_to_target");
        assertThat(summary.header).contains("seconds");
        Csv epochs = Csv.read(out.resolve("epochs.csv"));
        Csv metrics = Csv.read(out.resolve("metrics.csv"));
        List<String> names = new ArrayList<>();
        Double firstLoss = null;
        for (Map<String, String> row : summary.rows) {
            String s = row.get("schedule");
            names.add(s);
            double accuracy = Csv.number(row, "test_accuracy");
            // ten classes: chance is 10%; 360 images and 24 steps take every schedule well past that
            assertThat(accuracy).as(s).isBetween(0.6, 1.0);
            List<Map<String, String>> perEpoch = epochs.where("schedule", s);
            assertThat(perEpoch).as(s).hasSize(EPOCHS);
            assertThat(Csv.number(perEpoch.get(EPOCHS - 1), "test_accuracy")).as(s).isEqualTo(accuracy);
            double best = Math.max(Csv.number(perEpoch.get(0), "test_accuracy"),
                    Csv.number(perEpoch.get(1), "test_accuracy"));
            assertThat(Csv.number(row, "best_accuracy")).as(s).isEqualTo(best);
            String toTarget = row.get("epochs_to_target");
            int expected = Csv.number(perEpoch.get(0), "test_accuracy") >= 0.6 ? 1
                    : Csv.number(perEpoch.get(1), "test_accuracy") >= 0.6 ? 2 : -1;
            assertThat(toTarget).as(s).isEqualTo(expected < 0 ? "" : Integer.toString(expected));
            assertThat(Csv.number(row, "seconds")).as(s).isPositive();
            // train_seconds: the epoch's training alone, so the run's clock (evaluations included) is ahead of their sum
            double trained = 0;
            for (Map<String, String> epoch : perEpoch) {
                assertThat(Csv.number(epoch, "train_seconds")).as(s).isPositive();
                trained += Csv.number(epoch, "train_seconds");
                assertThat(Csv.number(epoch, "seconds")).as(s).isGreaterThan(trained - 0.001);
            }
            // same initial weights and same first batch: the loss before the first update is the same for all
            double loss = Csv.number(metrics.where("schedule", s).get(0), "loss");
            if (firstLoss == null) {
                firstLoss = loss;
            }
            assertThat(loss).as(s).isEqualTo(firstLoss);
        }
        assertThat(names).containsExactlyElementsOf(SCHEDULES);
        assertThat(firstLoss).isBetween(1.5, 4.0);
    }

    @Test
    void recordedLearningRateFollowsEachSchedule() throws IOException {
        Csv metrics = Csv.read(out.resolve("metrics.csv"));
        assertThat(metrics.header).containsExactly("schedule", "epoch", "iteration", "lr", "loss");
        for (String s : SCHEDULES) {
            List<Map<String, String>> rows = metrics.where("schedule", s);
            assertThat(rows).as(s).hasSize(TOTAL);
            for (int k = 0; k < TOTAL; k++) {
                Map<String, String> row = rows.get(k);
                assertThat(Integer.parseInt(row.get("iteration"))).as(s).isEqualTo(k);
                assertThat(Integer.parseInt(row.get("epoch"))).as(s).isEqualTo(k / BATCHES);
                assertThat(Csv.number(row, "lr")).as("%s at iteration %d", s, k)
                        .isCloseTo(expectedLr(s, k), within(1e-12));
            }
        }
    }

    /** Each schedule's learning rate at iteration k, written from its definition (T = 24, 12 per epoch, η = 0.1). */
    static double expectedLr(String schedule, int k) {
        double t = TOTAL;
        switch (schedule) {
            case "constant":
            case "plateau": // two epochs: its first decision comes after the last recorded step of epoch 1
                return LR;
            case "milestone": // milestones at round(0.5 * 2) = 1 and round(0.75 * 2) = 2 epochs
                return k < BATCHES ? LR : LR * 0.1;
            case "warmcosine": { // warmup of half an epoch (6 steps) from 0, then cosine over the other 18
                int warmup = BATCHES / 2;
                return k < warmup ? LR * k / warmup : LR * (1 + Math.cos(Math.PI * (k - warmup) / (t - warmup))) / 2;
            }
            case "restarts": { // cycles of ceil(24 / 7) = 4, 8, 16 steps starting at 0, 4, 12
                int start = k < 4 ? 0 : k < 12 ? 4 : 12;
                int length = k < 4 ? 4 : k < 12 ? 8 : 16;
                return LR * (1 + Math.cos(Math.PI * (k - start) / length)) / 2;
            }
            case "onecycle": { // PyTorch OneCycleLR: up over [0, 0.3 T - 1], down over [0.3 T - 1, T - 1]
                double initial = LR / 25;
                double last = initial / 1e4;
                double peakAt = 0.3 * t - 1;
                if (k <= peakAt) {
                    return LR + (initial - LR) / 2 * (Math.cos(Math.PI * k / peakAt) + 1);
                }
                return last + (LR - last) / 2 * (Math.cos(Math.PI * (k - peakAt) / (t - 1 - peakAt)) + 1);
            }
            case "cyclic": { // CLR triangular2 between η/10 and η, 3 steps up and 3 down
                double base = LR / 10;
                int cycle = 1 + k / 6;
                double x = Math.abs(k / 3.0 - 2 * cycle + 1);
                return base + (LR - base) * Math.max(0, 1 - x) / Math.pow(2, cycle - 1);
            }
            default:
                throw new IllegalArgumentException(schedule);
        }
    }

    @Test
    void statsStorageHoldsOneSessionPerScheduleWithTheRecordedRates() throws IOException {
        Csv metrics = Csv.read(out.resolve("metrics.csv"));
        FileStatsStorage storage = new FileStatsStorage(out.resolve("stats.dl4j").toFile());
        try {
            assertThat(storage.listSessionIDs()).containsExactlyInAnyOrderElementsOf(SCHEDULES);
            for (String s : SCHEDULES) {
                assertThat(storage.listWorkerIDsForSessionAndType(s, StatsListener.TYPE_ID)).as(s)
                        .containsExactly("0");
                assertThat(storage.listWorkerIDsForSessionAndType(s, LearningRateBlock.TYPE_ID)).as(s)
                        .containsExactly(LearningRateReports.WORKER_ID);
                // the recorder's rows, one per iteration in blocks of an epoch, which the Schedules page draws instead
                LearningRateTable exact = LearningRateReports.read(storage, s, LearningRateReports.WORKER_ID);
                List<Map<String, String>> metricRows = metrics.where("schedule", s);
                assertThat(exact.size()).as(s).isEqualTo(metricRows.size());
                assertThat(storage.getAllUpdatesAfter(s, LearningRateBlock.TYPE_ID, LearningRateReports.WORKER_ID, 0))
                        .as("%s: one block per epoch", s).hasSize(EPOCHS);
                double[] exactRates = exact.learningRates("0_W");
                for (int r = 0; r < exact.size(); r++) {
                    int iteration = exact.iteration(r);
                    double recorded = Csv.number(metricRows.get(iteration), "lr");
                    assertThat(exactRates[r]).as("%s exact at %d", s, iteration)
                            .isCloseTo(recorded, within(1e-12 * Math.max(recorded, 1e-3)));
                }
                List<Persistable> updates = storage.getAllUpdatesAfter(s, StatsListener.TYPE_ID, "0", 0);
                assertThat(updates).as(s).isNotEmpty();
                List<Map<String, String>> rows = metrics.where("schedule", s);
                for (Persistable update : updates) {
                    StatsReport report = (StatsReport) update;
                    int iteration = report.getIterationCount();
                    double recorded = Csv.number(rows.get(iteration), "lr");
                    // StatsListener stores float32
                    assertThat(report.getLearningRates().get("0_W")).as("%s at %d", s, iteration)
                            .isCloseTo(recorded, within(1e-6 * Math.max(recorded, 1e-3)));
                }
            }
        } finally {
            storage.close();
        }
    }

    static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
