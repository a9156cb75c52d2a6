package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plateau schedule really lowers the learning rate on a plateau, and LeNet trains. */
class TrainingTest {

    @TempDir
    Path dir;

    @Test
    void plateauCutsTheLearningRateByTheFactorAtEpochBoundaries() throws IOException {
        // 100 training images for 6 epochs: the held-out loss stops improving once the MLP has learned them by heart
        Cli cli = Cli.run("train", "--schedule", "plateau", "--data", "embedded", "--epochs", "6", "--batch", "20",
                "--train-limit", "120", "--val-fraction", "0.2", "--test-limit", "200", "--lr", "0.1",
                "--plateau-factor", "0.5", "--plateau-patience", "0", "--no-progress", "--out", dir.toString());
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        List<Map<String, String>> rows = Csv.read(dir.resolve("metrics.csv")).rows;
        assertThat(rows).hasSize(6 * 5);
        double previous = 0.1;
        int reductions = 0;
        for (int epoch = 0; epoch < 6; epoch++) {
            double lr = Csv.number(rows.get(epoch * 5), "lr");
            for (int i = 1; i < 5; i++) {
                assertThat(Csv.number(rows.get(epoch * 5 + i), "lr")).as("epoch %d", epoch).isEqualTo(lr);
            }
            if (lr != previous) {
                assertThat(lr).as("epoch %d", epoch).isCloseTo(previous * 0.5, org.assertj.core.api.Assertions.within(1e-15));
                reductions++;
            }
            previous = lr;
        }
        assertThat(reductions).as(cli.out).isPositive();
        assertThat(java.nio.file.Files.readString(dir.resolve("summary.md"))).contains("from epoch ", "held-out loss");
    }

    @Test
    void lenetTrains() throws IOException {
        Cli cli = Cli.run("train", "--schedule", "onecycle", "--model", "lenet", "--data", "embedded", "--epochs", "1",
                "--batch", "32", "--train-limit", "640", "--test-limit", "200", "--lr", "0.05", "--no-progress",
                "--out", dir.toString());
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("LeNet-5-like CNN");
        Map<String, String> summary = Csv.read(dir.resolve("summary.csv")).rows.get(0);
        assertThat(summary.get("schedule")).isEqualTo("onecycle");
        assertThat(Csv.number(summary, "test_accuracy")).isGreaterThan(0.5);
    }

    @Test
    void speedBenchmarkTrainsEveryVariantIncludingNhwcLenet() {
        Cli cli = Cli.run("bench-speed", "--model", "lenet", "--images", "64", "--batch", "32", "--rounds", "1");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("64 images of embedded MNIST subset", "DL4J layer helpers of the defaults: ");
        for (String variant : List.of("defaults", "workspaces NONE", "AsyncDataSetIterator(2)", "EMA every iteration",
                "NHWC layout")) {
            // | variant | median | min | max | ratio of medians | median of per-round ratios |, all positive
            assertThat(cli.out).as(variant).containsPattern("(?m)^\\| " + java.util.regex.Pattern.quote(variant)
                    + " \\| [1-9][0-9]* \\| [1-9][0-9]* \\| [1-9][0-9]* \\| [0-9]+\\.[0-9]{3}"
                    + " \\| [0-9]+\\.[0-9]{3} \\|$");
        }
        // the reference against itself
        assertThat(cli.out).containsPattern("(?m)^\\| defaults \\| .* \\| 1\\.000 \\| 1\\.000 \\|$");
    }
}
