package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.schedule.SchedulePlan;
import io.github.lrschedules.examples.train.RunSettings;
import io.github.lrschedules.lrfree.DAdaptAdam;
import io.github.lrschedules.lrfree.Dog;
import io.github.lrschedules.lrfree.Prodigy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare --schedules prodigy,dadapt,dog}: the learning-rate-free updaters, with their effective rate drawn. */
class LearningRateFreeCompareTest {

    @Test
    void namesBuildTheUpdatersWithOptaxDefaultsAndStayOutOfTheDefaultSet() {
        SchedulePlan plan = new SchedulePlan(RunSettings.builder().model(ModelKind.MLP).learningRate(0.1).epochs(3)
                .build(), 40, null);
        assertThat(ScheduleName.parse("prodigy").setup(plan).updater()).isInstanceOf(Prodigy.class);
        assertThat(ScheduleName.parse("DADAPT").setup(plan).updater()).isInstanceOf(DAdaptAdam.class);
        assertThat(ScheduleName.parse("dog").setup(plan).updater()).isEqualTo(Dog.builder().build());
        // the estimates are multiplied by a cosine from 1 to 0 over the 120 iterations
        Prodigy prodigy = (Prodigy) ScheduleName.parse("prodigy").setup(plan).updater();
        assertThat(prodigy.getLearningRate(0, 0)).isEqualTo(1.0);
        assertThat(prodigy.getLearningRate(120, 3)).isEqualTo(0.0);
        assertThat(ScheduleName.defaults()).doesNotContain(ScheduleName.PRODIGY, ScheduleName.DADAPT, ScheduleName.DOG);
    }

    @Test
    void compareTrainsThemAndRecordsTheRateTheyApplied(@TempDir Path out) throws IOException {
        Cli cli = Cli.run("compare", "--data", "embedded", "--model", "mlp", "--epochs", "2", "--batch", "32",
                "--train-limit", "400", "--test-limit", "300", "--schedules", "prodigy,dog",
                "--out", out.toString(), "--no-progress");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        Csv metrics = Csv.read(out.resolve("metrics.csv"));
        for (String s : List.of("prodigy", "dog")) {
            List<Map<String, String>> rows = metrics.where("schedule", s);
            assertThat(rows).as(s).isNotEmpty();
            double first = Csv.number(rows.get(0), "lr");
            double largest = rows.stream().mapToDouble(r -> Csv.number(r, "lr")).max().getAsDouble();
            double last = Csv.number(rows.get(rows.size() - 1), "lr");
            // the estimate times the schedule, not the schedule's 1.0: it starts at optax's tiny defaults
            assertThat(first).as(s).isLessThan(1e-4);
            assertThat(largest).as(s).isLessThan(1.0);
            if (s.equals("dog")) {
                assertThat(largest).as("DoG's eta grows with the distance travelled").isGreaterThan(first);
            } else {
                assertThat(last).as("Prodigy's d times the cosine to 0").isLessThan(first);
            }
        }
        assertThat(Csv.read(out.resolve("summary.csv")).rows).hasSize(2);
    }

    @Test
    void sparkRefusesThem() {
        Cli cli = Cli.run("compare", "--master", "local[2]", "--schedules", "constant,prodigy", "--data", "embedded",
                "--epochs", "1", "--no-progress");
        assertThat(cli.exitCode).isNotZero();
        assertThat(cli.err).contains("'prodigy' does not run with --master").contains("learning-rate-free");
    }
}
