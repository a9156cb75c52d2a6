package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.schedule.SchedulePlan;
import io.github.lrschedules.examples.schedule.ScheduleSetup;
import io.github.lrschedules.examples.train.RunSettings;
import io.github.lrschedules.plateau.GreedyLrListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare --schedules greedy}: Hugging Face's GreedyLR on the held-out loss, outside the default set. */
class GreedyCompareTest {

    @Test
    void greedyIsAGreedyLrListenerOnTheHeldOutLossAndStaysOutOfTheDefaultSet(@TempDir Path out) throws IOException {
        assertThat(ScheduleName.defaults()).doesNotContain(ScheduleName.GREEDY);
        Cli cli = Cli.run("compare", "--data", "embedded", "--model", "mlp", "--epochs", "3", "--batch", "32",
                "--train-limit", "400", "--test-limit", "300", "--schedules", "greedy",
                "--plateau-factor", "0.5", "--plateau-patience", "0",
                "--out", out.toString(), "--no-progress");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        List<Map<String, String>> epochs = Csv.read(out.resolve("epochs.csv")).where("schedule", "greedy");
        assertThat(epochs).hasSize(3);
        // the first epoch is always an improvement for GreedyLR: with patience 0 the second epoch runs at η / factor
        double first = Csv.number(epochs.get(0), "lr");
        double second = Csv.number(epochs.get(1), "lr");
        assertThat(second).isCloseTo(first / 0.5, org.assertj.core.data.Percentage.withPercentage(1e-6));
    }

    @Test
    void setupNeedsAHeldOutSplit() {
        SchedulePlan plan = new SchedulePlan(RunSettings.builder().model(ModelKind.MLP).learningRate(0.1).epochs(3)
                .build(), 40, null);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ScheduleName.GREEDY.setup(plan)))
                .hasMessageContaining("held-out split");
    }
}
