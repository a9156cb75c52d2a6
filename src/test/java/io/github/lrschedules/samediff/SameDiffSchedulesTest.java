package io.github.lrschedules.samediff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * A schedule inside the {@code TrainingConfig}'s updater drives SameDiff training exactly: the rate SGD applies (from
 * the parameters' change) equals {@code valueAt(iteration, epoch)} at every iteration of {@code fit(iterator, epochs)},
 * for ITERATION and EPOCH schedules, and after {@code save}/{@code load}; {@link SameDiffLearningRates} records it.
 */
class SameDiffSchedulesTest {

    static Stream<Arguments> schedules() {
        return Stream.of(
                Arguments.of("ITERATION warmup-cosine",
                        new WarmupCosineSchedule(ScheduleType.ITERATION, 0.2, 3, 20, 0.01, 0.02)),
                Arguments.of("EPOCH milestones",
                        new MilestoneStepSchedule(ScheduleType.EPOCH, 0.2, 0.5, 1, 2, 3)));
    }

    private static void assertAppliedRatesFollow(ISchedule schedule, List<double[]> applied, int fromIteration,
                                                 int iterations) {
        assertThat(applied).hasSize(iterations);
        for (int k = 0; k < iterations; k++) {
            double[] row = applied.get(k);
            int iteration = fromIteration + k;
            int epoch = iteration / SameDiffNets.ITERATIONS_PER_EPOCH;
            assertThat((int) row[0]).as("iteration").isEqualTo(iteration);
            assertThat((int) row[1]).as("epoch of iteration %s", iteration).isEqualTo(epoch);
            double expected = schedule.valueAt(iteration, epoch);
            assertThat(row[2]).as("applied rate at iteration %s, epoch %s", iteration, epoch)
                    .isCloseTo(expected, within(1e-9 * expected));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void appliedRateEqualsTheScheduleOverSeveralEpochsAndAfterSaveAndLoad(String name, ISchedule schedule,
                                                                          @TempDir Path dir) throws IOException {
        DataSetIterator data = SameDiffNets.data();
        SameDiff sd = SameDiffNets.mlp(new Sgd(schedule));
        List<double[]> applied = new ArrayList<>();
        SameDiffLearningRates recorded = new SameDiffLearningRates();
        sd.addListeners(new SameDiffNets.AppliedRates(SameDiffNets.mlp(new Sgd(0.1)), applied), recorded);
        sd.fit(data, 2);
        int first = 2 * SameDiffNets.ITERATIONS_PER_EPOCH;
        assertAppliedRatesFollow(schedule, applied, 0, first);
        assertThat(sd.getTrainingConfig().getIterationCount()).isEqualTo(first);
        assertThat(sd.getTrainingConfig().getEpochCount()).isEqualTo(2);
        assertThat(recorded.size()).isEqualTo(first);
        for (int k = 0; k < first; k++) {
            assertThat(recorded.iterations()[k]).isEqualTo(k);
            assertThat(recorded.epochs()[k]).isEqualTo(k / SameDiffNets.ITERATIONS_PER_EPOCH);
            assertThat(recorded.learningRates()[k]).isCloseTo(applied.get(k)[2], within(1e-9 * applied.get(k)[2]));
        }

        File file = dir.resolve("mlp.sd").toFile();
        sd.save(file, true);
        SameDiff loaded = SameDiff.load(file, true);
        assertThat(loaded.getTrainingConfig().getIterationCount()).isEqualTo(first);
        assertThat(loaded.getTrainingConfig().getEpochCount()).isEqualTo(2);
        List<double[]> appliedAfter = new ArrayList<>();
        loaded.addListeners(new SameDiffNets.AppliedRates(SameDiffNets.mlp(new Sgd(0.1)), appliedAfter));
        loaded.fit(data, 2);
        assertAppliedRatesFollow(schedule, appliedAfter, first, 2 * SameDiffNets.ITERATIONS_PER_EPOCH);
    }

    @Test
    void fitOfOneDataSetAdvancesTheIterationButNeverTheEpoch() {
        ISchedule schedule = new MilestoneStepSchedule(ScheduleType.EPOCH, 0.2, 0.5, 1);
        SameDiff sd = SameDiffNets.mlp(new Sgd(schedule));
        SameDiffLearningRates recorded = new SameDiffLearningRates();
        sd.addListeners(recorded);
        DataSetIterator data = SameDiffNets.data();
        for (int i = 0; i < SameDiffNets.ITERATIONS_PER_EPOCH + 1; i++) {
            if (!data.hasNext()) {
                data.reset();
            }
            DataSet batch = data.next();
            sd.fit(batch);
        }
        assertThat(sd.getTrainingConfig().getIterationCount()).isEqualTo(SameDiffNets.ITERATIONS_PER_EPOCH + 1);
        assertThat(sd.getTrainingConfig().getEpochCount()).isZero();
        assertThat(recorded.epochs()).containsOnly(0);
        assertThat(recorded.learningRates()).containsOnly(0.2);
    }

    @Test
    void csvHasOneRowPerIteration(@TempDir Path dir) throws IOException {
        SameDiff sd = SameDiffNets.mlp(new Sgd(new MilestoneStepSchedule(ScheduleType.ITERATION, 0.1, 0.5, 3)));
        SameDiffLearningRates recorded = new SameDiffLearningRates();
        sd.addListeners(recorded);
        sd.fit(SameDiffNets.data(), 1);
        Path csv = dir.resolve("lr.csv");
        recorded.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1 + SameDiffNets.ITERATIONS_PER_EPOCH);
        assertThat(lines.get(0)).isEqualTo("iteration,epoch,learningRate");
        assertThat(lines.get(1)).isEqualTo("0,0,0.1");
        assertThat(lines.get(4)).isEqualTo("3,0,0.05");
        recorded.clear();
        assertThat(recorded.size()).isZero();
    }

    /**
     * The in-place rule the plateau listener relies on (DL4J 1.0.0-M2.1): {@code setLrAndSchedule} on the training
     * configuration's updater takes effect at the next iteration; a new {@code TrainingConfig} set after training
     * started is ignored by the running updaters and restarts the iteration count.
     */
    @Test
    void onlyAnInPlaceChangeReachesTheRunningUpdaters() {
        DataSetIterator data = SameDiffNets.data();
        SameDiff sd = SameDiffNets.mlp(new Sgd(0.1));
        List<double[]> applied = new ArrayList<>();
        sd.addListeners(new SameDiffNets.AppliedRates(SameDiffNets.mlp(new Sgd(0.1)), applied));
        sd.fit(data, 1);
        sd.getTrainingConfig().getUpdater().setLrAndSchedule(0.05, null);
        sd.fit(data, 1);
        int perEpoch = SameDiffNets.ITERATIONS_PER_EPOCH;
        assertThat(applied.get(perEpoch - 1)[2]).isCloseTo(0.1, within(1e-10));
        assertThat(applied.get(perEpoch)[2]).isCloseTo(0.05, within(1e-10));

        sd.setTrainingConfig(TrainingConfig.builder().updater(new Sgd(0.01)).dataSetFeatureMapping("in")
                .dataSetLabelMapping("label").build());
        sd.fit(data, 1);
        double[] afterNewConfig = applied.get(2 * perEpoch);
        assertThat((int) afterNewConfig[0]).as("the iteration count restarts").isZero();
        assertThat(afterNewConfig[2]).as("the running updaters keep their configuration").isCloseTo(0.05,
                within(1e-10));
    }
}
