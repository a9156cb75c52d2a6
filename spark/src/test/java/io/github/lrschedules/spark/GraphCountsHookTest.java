package io.github.lrschedules.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.LinearSchedule;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.junit.jupiter.api.Test;

/**
 * The DL4J defect {@link GraphCountsHook} works around: the workers of a SparkComputationGraph build their network
 * from {@code conf.clone()}, which drops the counts for a graph and keeps them for a MultiLayerNetwork. When this test
 * fails, DL4J copies the counts and the hook can go (the end-to-end check is in {@link SparkTrainingLoopTest}).
 */
class GraphCountsHookTest {

    @Test
    void computationGraphConfigurationCloneDropsTheCountsWhichTheHookRestores() {
        ComputationGraphConfiguration graph = LocalSpark.graph(new LinearSchedule(ITERATION, 0.01, 1.0, 0.1, 100), 1)
                .getConfiguration();
        graph.setIterationCount(30);
        graph.setEpochCount(3);
        ComputationGraphConfiguration copy = graph.clone();
        assertThat(copy.getIterationCount()).isZero();
        assertThat(copy.getEpochCount()).isZero();

        MultiLayerConfiguration mlp = LocalSpark.mlp(new LinearSchedule(ITERATION, 0.01, 1.0, 0.1, 100), 1)
                .getLayerWiseConfigurations();
        mlp.setIterationCount(30);
        mlp.setEpochCount(3);
        assertThat(mlp.clone().getIterationCount()).isEqualTo(30);
        assertThat(mlp.clone().getEpochCount()).isEqualTo(3);
    }
}
