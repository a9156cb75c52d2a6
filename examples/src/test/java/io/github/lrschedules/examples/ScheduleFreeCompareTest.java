package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.schedule.SchedulePlan;
import io.github.lrschedules.examples.train.RunSettings;
import io.github.lrschedules.schedulefree.AdamWScheduleFree;
import io.github.lrschedules.schedulefree.SgdScheduleFree;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare --schedules sfsgd,sfadamw}: the schedule-free updaters train and are reported like schedules. */
class ScheduleFreeCompareTest {

    @Test
    void namesBuildTheScheduleFreeUpdatersAndStayOutOfTheDefaultSet() {
        SchedulePlan plan = new SchedulePlan(RunSettings.builder().model(ModelKind.MLP).learningRate(0.1).epochs(3)
                .build(), 40, null);
        assertThat(ScheduleName.parse("sfsgd").setup(plan).updater()).isEqualTo(new SgdScheduleFree(0.1, 0.9, 20));
        assertThat(ScheduleName.parse("SFADAMW").setup(plan).updater())
                .isEqualTo(new AdamWScheduleFree(0.0025, 0.9, 0.999, 1e-8, 20, 0));
        assertThat(ScheduleName.defaults()).hasSize(7).doesNotContain(ScheduleName.SFSGD, ScheduleName.SFADAMW);
        assertThat(ScheduleName.validNames()).contains("sfsgd", "sfadamw");
    }

    @Test
    void compareTrainsBothAndReportsAccuracyAtTheAveragedWeights(@TempDir Path out) throws IOException {
        Cli cli = Cli.run("compare", "--data", "embedded", "--model", "mlp", "--epochs", "2", "--batch", "32",
                "--train-limit", "400", "--test-limit", "300", "--lr", "0.1", "--schedules", "sfsgd,sfadamw",
                "--out", out.toString(), "--no-progress");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        Csv epochs = Csv.read(out.resolve("epochs.csv"));
        for (String s : List.of("sfsgd", "sfadamw")) {
            List<Map<String, String>> rows = epochs.where("schedule", s);
            assertThat(rows).as(s).hasSize(2);
            // ten classes: chance is 10%
            assertThat(Csv.number(rows.get(1), "test_accuracy")).as(s).isBetween(0.5, 1.0);
        }
        assertThat(Csv.read(out.resolve("summary.csv")).rows).hasSize(2);
    }
}
