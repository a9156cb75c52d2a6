package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.report.Words;
import io.github.lrschedules.examples.train.EpochStats;
import io.github.lrschedules.examples.train.Progress;
import io.github.lrschedules.examples.train.RunSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** How runs are described to people: counts, rounded numbers, progress in a log, and the settings' builder. */
class RunOutputsTest {

    @Test
    void countsArePluralOnlyAboveOne() {
        assertThat(Words.count(1, "epoch")).isEqualTo("1 epoch");
        assertThat(Words.count(15, "epoch")).isEqualTo("15 epochs");
        assertThat(Words.count(0, "schedule")).isEqualTo("0 schedules");
        assertThat(Words.count(1, "batch", "batches")).isEqualTo("1 batch");
        assertThat(Words.count(113, "batch", "batches")).isEqualTo("113 batches");
    }

    @Test
    void numbersAreRoundedToFourSignificantDigits() {
        assertThat(Words.number(6.135907273413181)).isEqualTo("6.136");
        assertThat(Words.number(0.1)).isEqualTo("0.1");
        assertThat(Words.number(0.05)).isEqualTo("0.05");
        assertThat(Words.number(1.0000000000000002E-4)).isEqualTo("0.0001");
        assertThat(Words.number(4.0E-7)).isEqualTo("4e-07");
        assertThat(Words.number(12345678)).isEqualTo("1.235e+07");
        assertThat(Words.number(0)).isEqualTo("0");
        assertThat(Words.number(Double.NaN)).isEqualTo("NaN");
        assertThat(Words.rounded("the loss became NaN at lr 6.135907273413181")).isEqualTo(
                "the loss became NaN at lr 6.136");
        assertThat(Words.rounded("100 iterations, lr 0.1 to 10.0")).isEqualTo("100 iterations, lr 0.1 to 10.0");
        assertThat(Words.rounded("at 1.2345678E-5")).isEqualTo("at 1.235e-05");
    }

    @Test
    void withoutATerminalProgressIsOnePlainLinePerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress progress = Progress.choose(false, false, out);
        progress.start("onecycle", 24, 2);
        for (int i = 1; i <= 24; i++) {
            progress.step(i, (i - 1) / 12, 0.5, 0.1);
            if (i % 12 == 0) {
                progress.epoch(new EpochStats(i / 12 - 1, 0.1, 0.41234, Double.NaN, Double.NaN, 0.3, 0.912, 4.25 * i / 12,
                        4.0));
            }
        }
        progress.finish();
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertThat(log).doesNotContain("\r").isEqualTo(
                "onecycle   epoch 0 (1/2)  loss 0.4123  lr 1.00e-01  test 91.20%  4.3 s\n"
                        + "onecycle   epoch 1 (2/2)  loss 0.4123  lr 1.00e-01  test 91.20%  8.5 s\n");

        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        Progress none = Progress.choose(true, true, new PrintStream(quiet, true, StandardCharsets.UTF_8));
        none.start("x", 1, 1);
        none.step(1, 0, 1, 1);
        none.finish();
        assertThat(quiet.size()).as("--no-progress").isZero();
    }

    @Test
    void settingsBuilderHasTheCommandLineDefaultsAndNamesABadValue() {
        RunSettings settings = RunSettings.builder().model(ModelKind.MLP).learningRate(0.1).build();
        assertThat(settings.epochs()).isEqualTo(15);
        assertThat(settings.batch()).isEqualTo(64);
        assertThat(settings.seed()).isEqualTo(42);
        assertThat(settings.target()).isEqualTo(0.97);
        assertThat(settings.plateauFactor()).isEqualTo(0.1);
        assertThat(settings.plateauPatience()).isEqualTo(2);
        assertThat(settings.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(settings.workspaceMode()).isEqualTo(WorkspaceMode.ENABLED);
        assertThat(settings.prefetch()).isEqualTo(2);
        assertThat(settings.oneCycleMax()).as("the learning rate unless set").isEqualTo(0.1);
        assertThat(settings.evaluationBatch()).isEqualTo(500);

        RunSettings auto = settings.withOneCycleMax(0.614);
        assertThat(auto.oneCycleMax()).isEqualTo(0.614);
        assertThat(settings.oneCycleMax()).as("unchanged").isEqualTo(0.1);
        assertThat(auto.toBuilder().learningRate(0.2).build().oneCycleMax()).isEqualTo(0.614);
        assertThat(settings.toBuilder().learningRate(0.2).build().oneCycleMax()).isEqualTo(0.2);

        assertThatThrownBy(() -> RunSettings.builder().learningRate(0.1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("model (null) must be set");
        assertThatThrownBy(() -> RunSettings.builder().model(ModelKind.MLP).learningRate(0.1).epochs(0).build())
                .hasMessage("epochs (0) must be >= 1");
        assertThatThrownBy(() -> RunSettings.builder().model(ModelKind.MLP).learningRate(Double.NaN).build())
                .hasMessage("learningRate (NaN) must be > 0 and finite");
        assertThatThrownBy(() -> settings.withOneCycleMax(-1)).hasMessage("oneCycleMax (-1.0) must be > 0 and finite");
    }
}
