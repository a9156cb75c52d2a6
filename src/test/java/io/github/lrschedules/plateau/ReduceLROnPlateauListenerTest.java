package io.github.lrschedules.plateau;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The plateau listener on real DL4J training. */
class ReduceLROnPlateauListenerTest {

    private static final List<DataSet> TRAIN = TestData.noisyBlobs(320, 1);
    private static final List<DataSet> VALID = TestData.noisyBlobs(160, 2);

    @TempDir
    Path tmp;

    private static double validationLoss(MultiLayerNetwork net) {
        double sum = 0;
        int n = 0;
        ListDataSetIterator<DataSet> it = TestData.iterator(VALID, 40);
        while (it.hasNext()) {
            DataSet ds = it.next();
            sum += net.score(ds, false) * ds.numExamples();
            n += ds.numExamples();
        }
        return sum / n;
    }

    @Test
    void reducesAtTheEpochsThePyTorchRulePredictsFromTheValidationLoss() {
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(0.2));
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .validationLoss(TestData.iterator(VALID, 40)).factor(0.5).patience(1).threshold(0.02).build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        net.setListeners(recorder, plateau);
        PlateauTracker replica = PlateauTracker.builder().factor(0.5).patience(1).threshold(0.02).build();
        double lr = 0.2;
        List<Double> expectedLrPerEpoch = new ArrayList<>();
        ListDataSetIterator<DataSet> train = TestData.iterator(TRAIN, 32);
        for (int epoch = 0; epoch < 14; epoch++) {
            expectedLrPerEpoch.add(lr);
            net.fit(train);
            lr = replica.step(validationLoss(net), lr);
        }
        assertThat(plateau.history()).as("reductions").hasSizeGreaterThanOrEqualTo(2);
        assertThat(plateau.trackerState()).isEqualTo(replica.state());
        int[] epochs = recorder.epochs();
        for (String key : recorder.parameterKeys()) {
            double[] applied = recorder.learningRates(key);
            for (int i = 0; i < applied.length; i++) {
                assertThat(applied[i]).as("%s iteration %s", key, i)
                        .isCloseTo(expectedLrPerEpoch.get(epochs[i]), within(1e-15));
            }
        }
        for (Reduction r : plateau.history()) {
            assertThat(r.getNewLr()).isCloseTo(r.getOldLr() * 0.5, within(1e-15));
            assertThat(expectedLrPerEpoch.get(r.getEpoch())).isCloseTo(r.getNewLr(), within(1e-15));
        }
    }

    @Test
    void warmupCosineKeepsItsShapeScaledDownAndAdamStateIsKept() {
        int total = 10 * 20; // 10 iterations per epoch; the cosine is still above zero after 10 epochs
        ISchedule base = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.02, 10, total, 0.0, 0.0);
        MultiLayerNetwork net = TestNets.noisyMlp(new Adam(base));
        // Every other value is reported as worse: patience 0 reduces at each of them.
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        net.setListeners(recorder);
        ListDataSetIterator<DataSet> train = TestData.iterator(TRAIN, 32);
        for (int epoch = 0; epoch < 10; epoch++) {
            net.fit(train);
            INDArray stateBefore = net.getUpdater().getStateViewArray().dup();
            plateau.report(net, epoch % 2 == 0 ? 1.0 - epoch * 0.01 : 5.0);
            assertThat(net.getUpdater().getStateViewArray()).as("Adam moments after epoch %s", epoch)
                    .isEqualTo(stateBefore);
        }
        assertThat(plateau.history()).hasSize(5);
        int[] iterations = recorder.iterations();
        int[] epochs = recorder.epochs();
        double[] weights = recorder.learningRates("0_W");
        for (int i = 0; i < iterations.length; i++) {
            int reductions = 0;
            for (Reduction r : plateau.history()) {
                if (r.getIteration() <= iterations[i]) {
                    reductions++;
                }
            }
            double expected = base.valueAt(iterations[i], epochs[i]) * Math.pow(0.5, reductions);
            assertThat(weights[i]).as("iteration %s", iterations[i]).isCloseTo(expected, within(1e-15));
        }
        assertThat(net.params().sumNumber().doubleValue()).isFinite();
    }

    @Test
    void everyUpdaterIsScaledByTheSameFactorKeepingPerLayerRatios() {
        MultiLayerNetwork net = TestNets.noisyMlp(new Nesterovs(0.1, 0.9), new Sgd(0.03), new Sgd(0.07));
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MAX).factor(0.25).patience(0).build();
        net.fit(TestData.iterator(TRAIN, 32));
        plateau.report(net, 0.9);
        double next = plateau.report(net, 0.5);
        assertThat(next).isCloseTo(0.1 * 0.25, within(1e-15));
        assertThat(lr(net, 0, "W")).isCloseTo(0.1 * 0.25, within(1e-15));
        assertThat(lr(net, 0, "b")).isCloseTo(0.07 * 0.25, within(1e-15));
        assertThat(lr(net, 1, "W")).isCloseTo(0.03 * 0.25, within(1e-15));
        assertThat(lr(net, 1, "b")).isCloseTo(0.03 * 0.25, within(1e-15));
        assertThat(lr(net, 2, "W")).isCloseTo(0.1 * 0.25, within(1e-15));
        IUpdater outputUpdater = net.getLayer(2).conf().getLayer().getUpdaterByParam("W");
        assertThat(((Nesterovs) outputUpdater).getLearningRateSchedule()).isInstanceOf(ScaledSchedule.class);
        assertThat(((Nesterovs) outputUpdater).getMomentum()).isEqualTo(0.9);
    }

    private static double lr(MultiLayerNetwork net, int layer, String param) {
        return net.getLayer(layer).conf().getLayer().getUpdaterByParam(param)
                .getLearningRate(net.getIterationCount(), net.getEpochCount());
    }

    @Test
    void minLrBoundsTheReductionAndABadMetricNeverMakesTheRateNaN() {
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(0.1));
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.1).patience(0).minLr(0.004).build();
        net.fit(TestData.iterator(TRAIN, 32));
        plateau.report(net, 1.0);
        assertThat(plateau.report(net, Double.NaN)).isCloseTo(0.01, within(1e-15));
        assertThat(plateau.report(net, Double.POSITIVE_INFINITY)).isCloseTo(0.004, within(1e-15));
        assertThat(plateau.report(net, Double.NaN)).isCloseTo(0.004, within(1e-15));
        assertThat(lr(net, 0, "W")).isCloseTo(0.004, within(1e-15));
        net.fit(TestData.iterator(TRAIN, 32));
        assertThat(net.params().sumNumber().doubleValue()).isFinite();
    }

    /** Runs {@code epochs} epochs with the training-loss source, returning the recorder. */
    private static LearningRateRecorder train(MultiLayerNetwork net, ReduceLROnPlateauListener plateau, int epochs) {
        LearningRateRecorder recorder = new LearningRateRecorder();
        net.setListeners(recorder, plateau);
        ListDataSetIterator<DataSet> train = TestData.iterator(TRAIN, 32);
        for (int e = 0; e < epochs; e++) {
            net.fit(train);
        }
        return recorder;
    }

    private static ReduceLROnPlateauListener trainingLossPlateau() {
        return ReduceLROnPlateauListener.builder().trainingLoss().factor(0.5).patience(1).cooldown(1)
                .threshold(0.1).build();
    }

    @Test
    void resumingFromACheckpointMidPatienceGivesTheSameRun() throws IOException {
        int total = 16;
        MultiLayerNetwork straight = TestNets.noisyMlp(new Adam(new WarmupCosineSchedule(ScheduleType.ITERATION, 0.03, 5, 160, 0.0, 0.0)));
        ReduceLROnPlateauListener straightPlateau = trainingLossPlateau();
        LearningRateRecorder straightLr = train(straight, straightPlateau, total);
        assertThat(straightPlateau.history()).as("the run must reduce").hasSizeGreaterThanOrEqualTo(2);

        // Find a cut where the tracker is counting bad epochs or cooling down.
        int cut = -1;
        for (int k = 2; k < total - 2 && cut < 0; k++) {
            MultiLayerNetwork probe = TestNets.noisyMlp(new Adam(new WarmupCosineSchedule(ScheduleType.ITERATION, 0.03, 5, 160, 0.0, 0.0)));
            ReduceLROnPlateauListener probePlateau = trainingLossPlateau();
            train(probe, probePlateau, k);
            PlateauTracker.State s = probePlateau.trackerState();
            if ((s.getBadEpochs() > 0 || s.getCooldownLeft() > 0) && s.getReductions() > 0) {
                cut = k;
            }
        }
        assertThat(cut).as("a checkpoint mid-patience or mid-cooldown after a reduction").isPositive();

        MultiLayerNetwork first = TestNets.noisyMlp(new Adam(new WarmupCosineSchedule(ScheduleType.ITERATION, 0.03, 5, 160, 0.0, 0.0)));
        ReduceLROnPlateauListener firstPlateau = trainingLossPlateau();
        LearningRateRecorder firstLr = train(first, firstPlateau, cut);
        File zip = tmp.resolve("checkpoint.zip").toFile();
        firstPlateau.checkpoint(first, zip);

        MultiLayerNetwork resumed = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        ReduceLROnPlateauListener resumedPlateau = trainingLossPlateau();
        resumedPlateau.restoreState(zip);
        assertThat(resumedPlateau.trackerState()).isEqualTo(firstPlateau.trackerState());
        LearningRateRecorder secondLr = train(resumed, resumedPlateau, total - cut);

        assertThat(resumedPlateau.history()).isEqualTo(straightPlateau.history());
        double[] expected = straightLr.learningRates("0_W");
        double[] before = firstLr.learningRates("0_W");
        double[] after = secondLr.learningRates("0_W");
        assertThat(before.length + after.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            double actual = i < before.length ? before[i] : after[i - before.length];
            assertThat(actual).as("iteration %s", i).isEqualTo(expected[i]);
        }
        assertThat(resumed.params()).isEqualTo(straight.params());
        assertThat(resumed.getUpdater().getStateViewArray()).isEqualTo(straight.getUpdater().getStateViewArray());
    }

    @Test
    void saveStateReplacesAnEarlierStateAndRestoreStateRejectsAZipWithoutOne() throws IOException {
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(0.1));
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).build();
        File zip = tmp.resolve("model.zip").toFile();
        ModelSerializer.writeModel(net, zip, true);
        assertThatThrownBy(() -> plateau.restoreState(zip)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no ReduceLROnPlateau state");
        plateau.report(net, 1.0);
        plateau.saveState(zip);
        plateau.report(net, 2.0);
        plateau.saveState(zip);
        ReduceLROnPlateauListener restored = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).build();
        restored.restoreState(zip);
        assertThat(restored.state()).isEqualTo(plateau.state());
        assertThat(restored.history()).hasSize(1);
        assertThat(ModelSerializer.restoreMultiLayerNetwork(zip, true).params()).isEqualTo(net.params());
    }

    @Test
    void optionsThatContradictEachOtherFailAtBuildNamingBoth() {
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN)
                .evaluateEveryIterations(5).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reported(MIN)").hasMessageContaining("evaluateEveryIterations(5)");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().evaluateEveryEpoch()
                .reported(PlateauTracker.Mode.MAX).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reported(MAX)").hasMessageContaining("evaluateEveryEpoch()");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder()
                .validationLoss(TestData.iterator(TestData.noisyBlobs(8, 3), 8))
                .validationAccuracy(TestData.iterator(TestData.noisyBlobs(8, 3), 8)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("validationLoss(data)").hasMessageContaining("validationAccuracy(data)");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().evaluateEveryIterations(3)
                .evaluateEveryEpoch().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("evaluateEveryIterations(3)").hasMessageContaining("evaluateEveryEpoch()");
        // Repeating the same option is no contradiction, and a timing goes with a measured source.
        assertThat(ReduceLROnPlateauListener.builder().trainingLoss().trainingLoss().evaluateEveryIterations(4)
                .build().toString()).contains("TRAINING_LOSS", "everyIterations=4");
        assertThat(ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN).build().toString())
                .contains("REPORTED", "on report");
    }

    @Test
    void badConfigurationFailsAtBuildTimeNamingTheArgument() {
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().factor(1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factor (1.0)");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().factor(-0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factor (-0.5)");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().patience(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("patience (-1)");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().cooldown(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cooldown (-3)");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().minLr(-1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minLr (-1.0E-5)");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().validationLoss(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validationData");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().evaluateEveryIterations(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iterations (0)");
        assertThatThrownBy(() -> ReduceLROnPlateauListener.builder().trainingLoss().build()
                .report(TestNets.noisyMlp(new Sgd(0.1)), 1.0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reported(mode)");
    }
}
