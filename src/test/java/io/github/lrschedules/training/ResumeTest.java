package io.github.lrschedules.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Training for {@value #EPOCHS} epochs in one go and training {@code k} epochs, saving with the updater, restoring
 * and training the rest give the same learning-rate sequence, the same parameters and the same updater state, bit
 * for bit. The networks have an updater block that spans two layers (layers 0 and 1 share the network's updater)
 * and layers with updaters of their own: a schedule without value equality would split that block after the
 * restore (each restored layer holds its own schedule instance) and misread the saved Adam/Nesterovs state.
 */
class ResumeTest {

    private static final int EPOCHS = 4;
    private static final int ITERATIONS = EPOCHS * TestData.ITERATIONS_PER_EPOCH;

    @ParameterizedTest(name = "save after epoch {0}")
    @ValueSource(ints = {1, 2, 3})
    void adamWithWarmupCosineResumesExactly(int savedAfter, @TempDir Path dir) throws IOException {
        assertResumesExactly(ResumeTest::adamNet, savedAfter, dir);
    }

    @ParameterizedTest(name = "save after epoch {0}")
    @ValueSource(ints = {1, 2, 3})
    void nesterovsWithEpochMilestonesAndMomentumScheduleResumesExactly(int savedAfter, @TempDir Path dir)
            throws IOException {
        assertResumesExactly(ResumeTest::nesterovsNet, savedAfter, dir);
    }

    /** Without the saved updater state the continued run differs: the comparison above can tell. */
    @Test
    void restoringWithoutUpdaterStateIsDetected(@TempDir Path dir) throws IOException {
        MultiLayerNetwork uninterrupted = adamNet();
        TestNets.fitEpochs(uninterrupted, TestData.blobs(), EPOCHS);
        MultiLayerNetwork first = adamNet();
        TestNets.fitEpochs(first, TestData.blobs(), 2);
        File file = dir.resolve("no-updater.zip").toFile();

        ModelSerializer.writeModel(first, file, false);
        MultiLayerNetwork resumed = ModelSerializer.restoreMultiLayerNetwork(file, false);
        TestNets.fitEpochs(resumed, TestData.blobs(), EPOCHS - 2);

        assertThat(resumed.params()).isNotEqualTo(uninterrupted.params());
    }

    private static void assertResumesExactly(Supplier<MultiLayerNetwork> factory, int savedAfter, Path dir)
            throws IOException {
        MultiLayerNetwork uninterrupted = factory.get();
        LearningRateRecorder expected = new LearningRateRecorder();
        uninterrupted.setListeners(expected);
        TestNets.fitEpochs(uninterrupted, TestData.blobs(), EPOCHS);

        MultiLayerNetwork first = factory.get();
        LearningRateRecorder actual = new LearningRateRecorder();
        first.setListeners(actual);
        TestNets.fitEpochs(first, TestData.blobs(), savedAfter);
        List<String> blocksBeforeSave = SerializationTrainingTest.blocks(updater(first));
        File file = dir.resolve("checkpoint.zip").toFile();
        ModelSerializer.writeModel(first, file, true);
        MultiLayerNetwork resumed = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertThat(resumed.getEpochCount()).isEqualTo(savedAfter);
        assertThat(resumed.getIterationCount()).isEqualTo(savedAfter * TestData.ITERATIONS_PER_EPOCH);
        assertThat(SerializationTrainingTest.blocks(updater(resumed))).containsExactlyElementsOf(blocksBeforeSave);
        resumed.setListeners(actual);
        TestNets.fitEpochs(resumed, TestData.blobs(), EPOCHS - savedAfter);

        List<String> blocks = SerializationTrainingTest.blocks(updater(uninterrupted));
        assertThat(blocks).hasSize(3);
        assertThat(blocks.get(0)).as("one block spans layers 0 and 1").contains("0/W", "1/b");
        assertThat(SerializationTrainingTest.blocks(updater(resumed))).containsExactlyElementsOf(blocks);

        assertThat(actual.size()).isEqualTo(ITERATIONS);
        assertThat(expected.size()).isEqualTo(ITERATIONS);
        assertThat(actual.iterations()).containsExactly(expected.iterations());
        assertThat(actual.epochs()).containsExactly(expected.epochs());
        assertThat(actual.scores()).containsExactly(expected.scores());
        assertThat(actual.parameterKeys()).containsExactlyElementsOf(expected.parameterKeys())
                .hasSize(8);
        for (String key : expected.parameterKeys()) {
            assertThat(actual.learningRates(key)).as(key).containsExactly(expected.learningRates(key));
        }

        assertThat(resumed.params().toDoubleVector()).containsExactly(uninterrupted.params().toDoubleVector());
        assertThat(resumed.params()).isEqualTo(uninterrupted.params());
        assertThat(resumed.getUpdater().getStateViewArray().toDoubleVector())
                .containsExactly(uninterrupted.getUpdater().getStateViewArray().toDoubleVector());
        for (double p : resumed.params().toDoubleVector()) {
            assertThat(p).isFinite();
        }
    }

    private static BaseMultiLayerUpdater<?> updater(MultiLayerNetwork net) {
        return (BaseMultiLayerUpdater<?>) net.getUpdater();
    }

    /** Adam with warmup + cosine for the network; layer 2 has its own Adam with a shorter warmup-cosine. */
    static MultiLayerNetwork adamNet() {
        ISchedule network = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.01, 6, ITERATIONS - 4, 1e-4, 1e-3);
        ISchedule layerTwo = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.02, 3, ITERATIONS / 2, 5e-4, 2e-3);
        return net(new Adam(network), new Adam(layerTwo));
    }

    /**
     * Nesterovs with epoch milestones (at epochs 1 and 3) and a one-cycle momentum for the network; layer 2 has its
     * own Nesterovs with other milestones and the same momentum.
     */
    static MultiLayerNetwork nesterovsNet() {
        ISchedule momentum = OneCycleSchedule.momentum(ScheduleType.ITERATION, ITERATIONS, 0.25, 0.85, 0.95,
                OneCycleSchedule.Anneal.COS, false);
        ISchedule network = new MilestoneStepSchedule(ScheduleType.EPOCH, 0.05, 0.3, 1, 3);
        ISchedule layerTwo = new MilestoneStepSchedule(ScheduleType.EPOCH, 0.02, 0.5, 2);
        return net(new Nesterovs(network, momentum), new Nesterovs(layerTwo, momentum));
    }

    /**
     * 20 -> 16 (tanh) -> 12 (relu, l2) -> 10 (tanh, own updater) -> 3. Layers 0 and 1 differ (activation,
     * regularization) but share the updater, so they form one updater block.
     */
    private static MultiLayerNetwork net(IUpdater updater, IUpdater layerTwoUpdater) {
        MultiLayerConfiguration conf = TestNets.base(updater).list()
                .layer(new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(16).build())
                .layer(new DenseLayer.Builder().nIn(16).nOut(12).activation(Activation.RELU).l2(1e-3).build())
                .layer(new DenseLayer.Builder().nIn(12).nOut(10).updater(layerTwoUpdater).build())
                .layer(TestNets.output(10))
                .build();
        return TestNets.init(conf);
    }
}
