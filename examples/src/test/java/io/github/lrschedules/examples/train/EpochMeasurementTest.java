package io.github.lrschedules.examples.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.data.DataLoader;
import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.schedule.Averaging;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.schedulefree.ScheduleFree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An epoch measured on its own thread while the next one trains gives the rows of one measured before the next epoch
 * starts: the same held-out, test and averaged losses to the bit, for a schedule-free run (measured at its average x),
 * a plateau run (whose held-out loss the listener measured already) and a weight average; every epoch's progress line
 * comes, in order; and the last epoch's row holds what the trained network itself measures.
 */
class EpochMeasurementTest {

    @Test
    void measuringWhileTheNextEpochTrainsGivesTheRowsOfMeasuringBetweenEpochs() throws java.io.IOException {
        PreparedData data = PreparedData.of(DataLoader.embedded(), 384, 256, 0.25, DataType.FLOAT);
        for (ScheduleName schedule : List.of(ScheduleName.SFSGD, ScheduleName.PLATEAU, ScheduleName.WARMCOSINE)) {
            RunSettings settings = RunSettings.builder().model(ModelKind.MLP).learningRate(0.1).epochs(3).batch(32)
                    .seed(7).prefetch(0).averaging(schedule == ScheduleName.WARMCOSINE ? Averaging.ema(0.9) : null)
                    .build();
            ByteArrayOutputStream aheadLines = new ByteArrayOutputStream();
            Local last = new Local(true);
            RunResult ahead = new Trainer(data, settings, null, Progress.lines(print(aheadLines)), last)
                    .run(schedule);
            RunResult between = new Trainer(data, settings, null, Progress.none(), new Local(false)).run(schedule);

            assertThat(Backend.local(0).measuresWhileTraining()).isTrue();
            assertThat(ahead.epochStats()).as(schedule.id()).hasSize(3);
            for (int e = 0; e < 3; e++) {
                EpochStats a = ahead.epochStats().get(e);
                EpochStats b = between.epochStats().get(e);
                assertThat(a.epoch()).isEqualTo(e);
                assertThat(bits(a)).as(schedule.id() + " epoch " + e).isEqualTo(bits(b));
                assertThat(a.testAccuracy()).isBetween(0.3, 1.0);
            }
            // the last epoch measured on the trained network itself (at x for schedule-free SGD): the same bits
            Evaluator.Measured[] direct;
            try (Evaluator evaluator = new Evaluator(last.net, false);
                 ScheduleFree.EvaluationWeights atX = schedule.scheduleFree()
                         ? ScheduleFree.evaluationWeights(last.net) : null) {
                direct = evaluator.measure(last.net,
                        EpochIterator.sequential(data.validation(), settings.evaluationBatch()),
                        EpochIterator.sequential(data.test(), settings.evaluationBatch()));
            }
            EpochStats end = ahead.epochStats().get(2);
            assertThat(Double.doubleToRawLongBits(end.validationLoss()))
                    .isEqualTo(Double.doubleToRawLongBits(direct[0].loss));
            assertThat(Double.doubleToRawLongBits(end.testLoss())).isEqualTo(Double.doubleToRawLongBits(direct[1].loss));
            assertThat(end.testAccuracy()).isEqualTo(direct[1].accuracy);
            assertThat(ahead.losses()).isEqualTo(between.losses());
            assertThat(ahead.learningRates()).isEqualTo(between.learningRates());
            String lines = aheadLines.toString(StandardCharsets.UTF_8);
            assertThat(lines).containsSubsequence("epoch 0 (1/3)", "epoch 1 (2/3)", "epoch 2 (3/3)");
            if (schedule == ScheduleName.WARMCOSINE) {
                assertThat(ahead.epochStats().get(2).averaged()).isTrue();
                assertThat(lines).contains("averaged");
            }
        }
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    /** The measurements of an epoch row, as bits. */
    private static List<Long> bits(EpochStats s) {
        List<Long> bits = new ArrayList<>();
        for (double v : new double[] {s.learningRate(), s.trainLoss(), s.validationLoss(), s.validationAccuracy(),
                s.testLoss(), s.testAccuracy(), s.averagedTestLoss(), s.averagedTestAccuracy()}) {
            bits.add(Double.doubleToRawLongBits(v));
        }
        return bits;
    }

    /** The local backend, measuring while the next epoch trains or not; keeps the network it trained. */
    private static final class Local implements Backend {
        private final Backend local = Backend.local(0);
        private final boolean ahead;
        MultiLayerNetwork net;

        Local(boolean ahead) {
            this.ahead = ahead;
        }

        @Override
        public boolean measuresWhileTraining() {
            return ahead;
        }

        @Override
        public int stepsPerEpoch(int batches) {
            return local.stepsPerEpoch(batches);
        }

        @Override
        public boolean reportsValidation() {
            return local.reportsValidation();
        }

        @Override
        public String description(int batches) {
            return local.description(batches);
        }

        @Override
        public LearningRateRows train(Epochs run) throws java.io.IOException {
            net = run.network();
            return local.train(run);
        }

        @Override
        public boolean rowsIncludeResumedEpochs() {
            return local.rowsIncludeResumedEpochs();
        }

        @Override
        public void close() {
            local.close();
        }
    }
}
