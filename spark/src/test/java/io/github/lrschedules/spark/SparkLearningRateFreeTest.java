package io.github.lrschedules.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.lrfree.DAdaptAdam;
import io.github.lrschedules.lrfree.Dog;
import io.github.lrschedules.lrfree.LearningRateFree;
import io.github.lrschedules.lrfree.Prodigy;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Prodigy, D-Adaptation Adam and DoG under DL4J's parameter averaging: the loop gives every worker the parameter
 * listener they need without an {@code attach} by the user, and the driver ends with an averaged, grown estimate.
 */
class SparkLearningRateFreeTest {

    private static final double D0 = 1e-6;

    @ParameterizedTest
    @ValueSource(strings = {"prodigy", "dadapt", "dog"})
    void workersGetTheParametersAndTheDriverKeepsTheAveragedEstimate(String name) throws Exception {
        IUpdater updater = name.equals("prodigy") ? Prodigy.builder().estimatedLr0(D0).build()
                : name.equals("dadapt") ? DAdaptAdam.builder().estimatedLr0(D0).weightDecay(1e-4).build()
                : Dog.builder().build();
        MultiLayerNetwork driver = LocalSpark.mlp(updater, 7);
        INDArray before = driver.params().dup();
        SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(LocalSpark.context(), driver, LocalSpark.master(5));

        SparkTrainingLoop.builder(net).epochs(2).build().fit(LocalSpark.train());

        // trained without the user attaching anything (see the next test for what happens without the loop)
        assertThat(driver.getIterationCount()).isEqualTo(2 * SparkSteps.perEpoch(LocalSpark.BATCHES, LocalSpark.WORKERS, 5));
        double estimate = LearningRateFree.estimatedStepSize(driver);
        assertThat(estimate).isFinite();
        if (!name.equals("dog")) {
            // d only grows from d0; the driver holds the workers' average of it (DL4J averages the updater state)
            assertThat(estimate).isGreaterThan(D0);
        } else {
            assertThat(estimate).isPositive();
        }
        assertThat(driver.params().sub(before).norm2Number().doubleValue()).isPositive();
    }

    @org.junit.jupiter.api.Test
    void withoutTheLoopTheWorkersLackTheParametersAndSaySo() throws Exception {
        MultiLayerNetwork driver = LocalSpark.mlp(Prodigy.builder().build(), 7);
        SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(LocalSpark.context(), driver, LocalSpark.master(5));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> net.fit(LocalSpark.train()))
                .satisfies(e -> assertThat(chain(e)).contains("LearningRateFree.attach"));
    }

    @org.junit.jupiter.api.Test
    void aTrainingMasterThatDropsTheUpdaterStateIsRefused() {
        SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(LocalSpark.context(),
                LocalSpark.mlp(Prodigy.builder().build(), 7),
                new org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster.Builder(
                        LocalSpark.WORKERS, LocalSpark.BATCH).batchSizePerWorker(LocalSpark.BATCH)
                        .averagingFrequency(5).build());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SparkTrainingLoop.builder(net).epochs(1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("saveUpdater(true)");
    }

    private static String chain(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }
}
