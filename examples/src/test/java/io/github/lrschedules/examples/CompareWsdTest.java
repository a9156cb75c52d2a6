package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare --schedules wsd}: the warmup-stable-decay run, on the same small setting as
 * {@link CompareCommandTest}, records at every iteration the rate its definition prescribes and learns; without
 * {@code --schedules} it is not trained.
 */
class CompareWsdTest {

    /** T = 24 iterations, 12 per epoch: warmup of 6 steps from 0, η, 1-sqrt cool-down over round(24 / 5) = 5 from 19. */
    static double expectedLr(int k) {
        double lr = CompareCommandTest.LR;
        if (k < 6) {
            return lr * k / 6;
        }
        return k < 19 ? lr : lr * (1 - Math.sqrt((k - 19) / 5.0));
    }

    @Test
    void wsdIsTrainedWhenNamedAndFollowsItsSchedule(@TempDir Path out) throws IOException {
        Cli cli = Cli.run("compare", "--schedules", "constant,wsd", "--data", "embedded", "--model", "mlp", "--epochs",
                "2", "--batch", "32", "--train-limit", "400", "--test-limit", "300", "--lr",
                Double.toString(CompareCommandTest.LR), "--target", "0.6", "--out", out.toString(), "--no-progress");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        Csv metrics = Csv.read(out.resolve("metrics.csv"));
        List<Map<String, String>> rows = metrics.where("schedule", "wsd");
        assertThat(rows).hasSize(CompareCommandTest.TOTAL);
        for (int k = 0; k < CompareCommandTest.TOTAL; k++) {
            assertThat(Integer.parseInt(rows.get(k).get("iteration"))).isEqualTo(k);
            assertThat(Csv.number(rows.get(k), "lr")).as("wsd at iteration %d", k).isCloseTo(expectedLr(k), within(1e-12));
        }
        assertThat(Csv.number(rows.get(18), "lr")).as("last stable step").isEqualTo(CompareCommandTest.LR);
        assertThat(Csv.number(rows.get(CompareCommandTest.TOTAL - 1), "lr")).isLessThan(0.11 * CompareCommandTest.LR);
        Csv summary = Csv.read(out.resolve("summary.csv"));
        assertThat(summary.rows).extracting(r -> r.get("schedule")).containsExactly("constant", "wsd");
        // ten classes: chance is 10%
        assertThat(Csv.number(summary.where("schedule", "wsd").get(0), "test_accuracy")).isBetween(0.6, 1.0);
    }

    @Test
    void helpListsWsd() {
        Cli compare = Cli.run("compare", "--help");
        assertThat(compare.exitCode).isZero();
        assertThat(compare.out.replaceAll("\\s+", " ")).contains("plateau, greedy, wsd, sfsgd, sfadamw, prodigy, dadapt, dog.")
                .contains("Default: all but greedy, wsd, sfsgd, sfadamw, prodigy, dadapt and dog.");
        Cli bad = Cli.run("compare", "--schedules", "nope");
        assertThat(bad.exitCode).isEqualTo(2);
        assertThat(bad.err).contains("valid schedules: constant, milestone, warmcosine, restarts, onecycle, cyclic, "
                + "plateau, greedy, wsd, sfsgd, sfadamw, prodigy, dadapt, dog");
    }
}
