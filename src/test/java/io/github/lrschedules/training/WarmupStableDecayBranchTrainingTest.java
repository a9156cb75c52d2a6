package io.github.lrschedules.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule;
import io.github.lrschedules.testing.MnistSubset;
import io.github.lrschedules.testing.TestNets;
import io.github.lrschedules.internal.Networks;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The warmup-stable-decay branch on a real resumed training: an MLP trained with {@code Adam(WSD)} on 320 real
 * MNIST digits is checkpointed in the stable phase with its updater, restored, switched to
 * {@link WarmupStableDecaySchedule#coolDownFrom} in every layer's updater configuration, and trained through the
 * cool-down. The Adam state survives the switch and the result is bit for bit the run that used the branched schedule
 * from the start, which it can only be if the saved moments were used and every iteration applied the branch's rate.
 */
class WarmupStableDecayBranchTrainingTest {

    private static final int EXAMPLES = 320;
    private static final int BATCH_SIZE = 32;
    private static final int ITERATIONS_PER_EPOCH = EXAMPLES / BATCH_SIZE;
    private static final int CHECKPOINT_EPOCHS = 3;
    private static final int CHECKPOINT = CHECKPOINT_EPOCHS * ITERATIONS_PER_EPOCH;
    private static final int RESUMED_EPOCHS = 3;

    /** Planned for 400 iterations: warmup to 10, stable until 320, cool-down to 400. */
    private static final WarmupStableDecaySchedule PLANNED = new WarmupStableDecaySchedule(ScheduleType.ITERATION,
            0.003, 10, 400, 1e-5, 0.0, 80, WarmupStableDecaySchedule.Decay.ONE_MINUS_SQRT);
    /** Decays from the checkpoint (iteration 30) over 20 iterations instead. */
    private static final WarmupStableDecaySchedule BRANCH = PLANNED.coolDownFrom(CHECKPOINT, 20);

    private static DataSet digits;

    @BeforeAll
    static void loadDigits() {
        digits = MnistSubset.train(EXAMPLES);
    }

    private static DataSetIterator data() {
        return new ListDataSetIterator<>(digits.asList(), BATCH_SIZE);
    }

    /** 784 -> 32 (tanh) -> 10 (softmax), Adam with {@code schedule} for every layer. */
    private static MultiLayerNetwork net(ISchedule schedule) {
        MultiLayerConfiguration conf = TestNets.base(new Adam(schedule)).list()
                .layer(new DenseLayer.Builder().nIn(MnistSubset.PIXELS).nOut(32).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(32).nOut(MnistSubset.CLASSES).build())
                .build();
        return TestNets.init(conf);
    }

    /** Installs {@code schedule} in every updater configuration with a learning rate, in place. */
    private static void switchSchedule(MultiLayerNetwork net, ISchedule schedule) {
        List<IUpdater> updaters = Networks.learningRateUpdaters(net);
        assertThat(updaters).as("a restored network holds one Adam per layer").hasSize(2);
        for (IUpdater updater : updaters) {
            updater.setLrAndSchedule(((Adam) updater).getLearningRate(), schedule);
        }
    }

    private static MultiLayerNetwork checkpointAndRestore(Path dir, boolean withUpdater, MultiLayerNetwork[] trained)
            throws IOException {
        MultiLayerNetwork first = net(PLANNED);
        LearningRateRecorder recorder = new LearningRateRecorder();
        first.setListeners(recorder);
        TestNets.fitEpochs(first, data(), CHECKPOINT_EPOCHS);
        for (String key : recorder.parameterKeys()) {
            double[] rates = recorder.learningRates(key);
            for (int i = 0; i < CHECKPOINT; i++) {
                assertThat(rates[i]).isEqualTo(PLANNED.valueAt(i, 0)).isEqualTo(BRANCH.valueAt(i, 0));
            }
            assertThat(rates[CHECKPOINT - 1]).as("checkpoint in the stable phase").isEqualTo(0.003);
        }
        File file = dir.resolve("stable.zip").toFile();
        ModelSerializer.writeModel(first, file, withUpdater);
        trained[0] = first;
        return ModelSerializer.restoreMultiLayerNetwork(file, withUpdater);
    }

    private static BaseMultiLayerUpdater<?> updater(MultiLayerNetwork net) {
        return (BaseMultiLayerUpdater<?>) net.getUpdater();
    }

    @Test
    void branchingFromAStableCheckpointKeepsAdamStateAndAppliesTheBranchedRate(@TempDir Path dir) throws IOException {
        MultiLayerNetwork straight = net(BRANCH);
        double initialScore = straight.score(digits);
        TestNets.fitEpochs(straight, data(), CHECKPOINT_EPOCHS + RESUMED_EPOCHS);

        MultiLayerNetwork[] first = new MultiLayerNetwork[1];
        MultiLayerNetwork resumed = checkpointAndRestore(dir, true, first);
        double[] savedState = first[0].getUpdater().getStateViewArray().toDoubleVector();
        assertThat(Arrays.stream(savedState).anyMatch(v -> v != 0)).as("Adam moments after 30 iterations").isTrue();
        assertThat(resumed.getIterationCount()).isEqualTo(CHECKPOINT);
        double checkpointScore = resumed.score(digits);
        List<String> blocks = SerializationTrainingTest.blocks(updater(resumed));

        switchSchedule(resumed, BRANCH);

        for (Layer layer : resumed.getLayers()) {
            for (String param : layer.paramTable(false).keySet()) {
                assertThat(((Adam) Networks.updater(layer, param)).getLearningRateSchedule()).isEqualTo(BRANCH);
            }
        }
        assertThat(SerializationTrainingTest.blocks(updater(resumed))).as("same updater blocks")
                .containsExactlyElementsOf(blocks).hasSize(1);
        assertThat(resumed.getUpdater().getStateViewArray().toDoubleVector()).as("Adam state kept by the switch")
                .containsExactly(savedState);

        LearningRateRecorder recorder = new LearningRateRecorder();
        resumed.setListeners(recorder);
        TestNets.fitEpochs(resumed, data(), RESUMED_EPOCHS);

        assertThat(recorder.iterations()).startsWith(CHECKPOINT, CHECKPOINT + 1).hasSize(RESUMED_EPOCHS * ITERATIONS_PER_EPOCH);
        assertThat(recorder.parameterKeys()).containsExactly("0_W", "0_b", "1_W", "1_b");
        for (String key : recorder.parameterKeys()) {
            double[] rates = recorder.learningRates(key);
            int[] iterations = recorder.iterations();
            for (int r = 0; r < rates.length; r++) {
                assertThat(rates[r]).as("%s iteration %s", key, iterations[r])
                        .isEqualTo(BRANCH.valueAt(iterations[r], 0));
            }
            assertThat(rates[0]).as("the cool-down starts at the peak").isEqualTo(0.003);
            assertThat(rates[10]).isLessThan(0.003 * 0.3);
            assertThat(rates[rates.length - 1]).as("the branch's end, not the plan's 0.003").isEqualTo(1e-5);
        }

        assertThat(resumed.params().toDoubleVector()).as("parameters of the run that branched from the start")
                .containsExactly(straight.params().toDoubleVector());
        assertThat(resumed.getUpdater().getStateViewArray().toDoubleVector())
                .containsExactly(straight.getUpdater().getStateViewArray().toDoubleVector());
        double finalScore = resumed.score(digits);
        assertThat(finalScore).isFinite().isLessThan(checkpointScore).isLessThan(initialScore);
    }

    /** The exact comparison above can fail: without the saved moments, or without the switch, the result differs. */
    @Test
    void withoutTheSavedMomentsOrWithoutTheSwitchTheRunDiffers(@TempDir Path withoutUpdater, @TempDir Path withUpdater)
            throws IOException {
        MultiLayerNetwork straight = net(BRANCH);
        TestNets.fitEpochs(straight, data(), CHECKPOINT_EPOCHS + RESUMED_EPOCHS);
        MultiLayerNetwork[] first = new MultiLayerNetwork[1];

        MultiLayerNetwork freshMoments = checkpointAndRestore(withoutUpdater, false, first);
        switchSchedule(freshMoments, BRANCH);
        TestNets.fitEpochs(freshMoments, data(), RESUMED_EPOCHS);
        assertThat(freshMoments.params()).isNotEqualTo(straight.params());

        MultiLayerNetwork notSwitched = checkpointAndRestore(withUpdater, true, first);
        assertThat(((Adam) Networks.updater(notSwitched.getLayer(0), "W")).getLearningRateSchedule()).isEqualTo(PLANNED);
        TestNets.fitEpochs(notSwitched, data(), RESUMED_EPOCHS);
        assertThat(notSwitched.params()).isNotEqualTo(straight.params());
    }
}
