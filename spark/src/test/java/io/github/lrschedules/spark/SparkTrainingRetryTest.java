package io.github.lrschedules.spark;

import static io.github.lrschedules.spark.SparkTrainingLoopTest.FREQUENCY;
import static io.github.lrschedules.spark.SparkTrainingLoopTest.STEPS;
import static io.github.lrschedules.spark.SparkTrainingLoopTest.assertRecordFollows;
import static io.github.lrschedules.spark.SparkTrainingLoopTest.assertWorkersApplied;
import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import java.util.List;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A training task that fails once, on {@code local[2,2]} (one retry per task) in Direct mode (DL4J's Export mode
 * refuses masters other than {@code local[n]}): Spark runs the task again, the worker rebuilds its network from the
 * broadcast at the driver's counts, and the counts and the applied schedule stay right.
 */
class SparkTrainingRetryTest {

    @AfterEach
    void disarm() {
        AppliedRateProbe.FAIL_ONCE.set(false);
        AppliedRateProbe.FAILED.set(false);
        AppliedRateProbe.drain();
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheCountsAndTheScheduleStayRight() throws Exception {
        ISchedule schedule = new WarmupCosineSchedule(ITERATION, 0.01, 4, 2 * STEPS, 1e-4, 1e-3);
        SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(LocalSpark.contextWithRetries(), LocalSpark.mlp(schedule, 7),
                LocalSpark.master(FREQUENCY, RDDTrainingApproach.Direct));
        AppliedRateProbe.drain();
        AppliedRateProbe.FAIL_ONCE.set(true);
        SparkTrainingLoop.Result result = SparkTrainingLoop.builder(net).epochs(2)
                .workerListeners(new AppliedRateProbe()).build().fit(LocalSpark.train());

        assertThat(AppliedRateProbe.FAILED).isTrue();
        assertThat(net.getNetwork().getIterationCount()).isEqualTo(2 * STEPS);
        assertThat(net.getNetwork().getEpochCount()).isEqualTo(2);
        assertRecordFollows(result.learningRates(), schedule, 2, 1.0, 1.0);
        List<AppliedRateProbe.Row> rows = AppliedRateProbe.drain();
        assertThat(rows).anySatisfy(r -> assertThat(r.attempt).isEqualTo(1));
        assertWorkersApplied(rows, result.learningRates(), 2);
    }
}
