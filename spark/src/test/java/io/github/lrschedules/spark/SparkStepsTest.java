package io.github.lrschedules.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.LinearSchedule;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link SparkSteps#perEpoch}: the Javadoc's examples, bad input, and the counts of real local-mode fits. */
class SparkStepsTest {

    @Test
    void javadocExamples() {
        assertThat(SparkSteps.perEpoch(100, 2, 5)).isEqualTo(50);
        assertThat(SparkSteps.perEpoch(10, 2, 4)).isEqualTo(4);
        assertThat(SparkSteps.perEpoch(3, 4, 5)).isEqualTo(5);
        assertThat(SparkSteps.perEpoch(Integer.MAX_VALUE, 1, 1)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> SparkSteps.perEpoch(0, 2, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batches (0) must be > 0");
        assertThatThrownBy(() -> SparkSteps.perEpoch(10, -1, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workers (-1) must be > 0");
        assertThatThrownBy(() -> SparkSteps.perEpoch(10, 2, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("averagingFrequency (0) must be > 0");
    }

    /** 20 mini-batches of 16 on 2 workers: frequency 3 -> 3 rounds of 3 (2 batches untrained), 16 -> 1 round. */
    @ParameterizedTest(name = "averagingFrequency {0}")
    @CsvSource({"3, 9", "16, 16"})
    void oneEpochAdvancesTheIterationCountAsAFormulaSays(int frequency, int expected) throws Exception {
        SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(LocalSpark.context(),
                LocalSpark.mlp(new LinearSchedule(ITERATION, 0.01, 1.0, 0.1, 100), 3), LocalSpark.master(frequency));
        net.fit(LocalSpark.train());
        assertThat(SparkSteps.perEpoch(LocalSpark.BATCHES, LocalSpark.WORKERS, frequency)).isEqualTo(expected);
        assertThat(net.getNetwork().getIterationCount()).isEqualTo(expected);
        assertThat(net.getNetwork().getEpochCount()).isEqualTo(1);
    }
}
