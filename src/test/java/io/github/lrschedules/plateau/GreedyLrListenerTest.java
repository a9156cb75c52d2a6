package io.github.lrschedules.plateau;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ScheduleType;

/** The GreedyLR listener on real DL4J training: MultiLayerNetwork, ComputationGraph, report, checkpoint and resume. */
class GreedyLrListenerTest {

    private static final List<DataSet> TRAIN = TestData.noisyBlobs(192, 1);

    @TempDir
    Path tmp;

    private static double rate(IUpdater updater, int iteration, int epoch) {
        return updater.getLearningRate(iteration, epoch);
    }

    @Test
    void reportedMetricsGiveTransformersRatesOnAMultiLayerNetworkAndEveryUpdaterFollows() {
        double[][] reference = GreedyLrReferenceTest.load("greedy_improving.csv");
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(0.1), new Sgd(0.05), new Sgd(0.02));
        GreedyLrListener greedy = GreedyLrListener.builder().reported(PlateauTracker.Mode.MIN).patience(3).factor(0.8)
                .build();
        for (double[] row : reference) {
            double next = greedy.report(net, row[0]);
            assertThat(next).isCloseTo(row[1], org.assertj.core.data.Offset.offset(1e-12));
            // The reference rate is the largest one (0.1 of layer 0's weights and the output layer); every updater is
            // scaled by the same factor and keeps its ratio to it.
            double scale = next / 0.1;
            assertThat(rate(net.getLayer(0).conf().getLayer().getUpdaterByParam("W"), 0, 0)).isEqualTo(next);
            assertThat(rate(net.getLayer(2).conf().getLayer().getUpdaterByParam("b"), 0, 0)).isEqualTo(next);
            assertThat(rate(net.getLayer(0).conf().getLayer().getUpdaterByParam("b"), 0, 0))
                    .isCloseTo(0.02 * scale, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(rate(net.getLayer(1).conf().getLayer().getUpdaterByParam("W"), 0, 0))
                    .isCloseTo(0.05 * scale, org.assertj.core.data.Offset.offset(1e-12));
        }
        // The improving sequence raises the 0.1 reference twelve times (1.0 is reached, then capped).
        assertThat(greedy.history()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(greedy.history().get(0).getNewLr()).isGreaterThan(greedy.history().get(0).getOldLr());
    }

    @Test
    void aComputationGraphTrainedWithAdamIsRaisedAndLoweredKeepingItsScheduleAndUpdaterState() {
        ComputationGraph graph = TestNets.noisyGraph(
                new Adam(new WarmupCosineSchedule(ScheduleType.ITERATION, 0.01, 5, 200, 0.0, 0.0)), null, null);
        GreedyLrListener greedy = GreedyLrListener.builder().reported(PlateauTracker.Mode.MIN).patience(0)
                .factor(0.5).minLr(1e-4).maxLr(0.5).build();
        ListDataSetIterator<DataSet> train = TestData.iterator(TRAIN, 32);
        graph.fit(train);
        INDArray state = graph.getUpdater().getStateViewArray().dup();
        int iteration = graph.getConfiguration().getIterationCount();
        double before = graph.getLayer("out").conf().getLayer().getUpdaterByParam("W")
                .getLearningRate(iteration, 1);

        double raised = greedy.report(graph, 1.0);
        IUpdater out = graph.getLayer("out").conf().getLayer().getUpdaterByParam("W");
        assertThat(raised).isCloseTo(before / 0.5, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(((Adam) out).getLearningRateSchedule()).isInstanceOf(ScaledSchedule.class);
        // The cosine keeps running underneath: later steps are scaled by the same factor.
        assertThat(out.getLearningRate(iteration + 50, 1))
                .isCloseTo(2 * new WarmupCosineSchedule(ScheduleType.ITERATION, 0.01, 5, 200, 0.0, 0.0)
                        .valueAt(iteration + 50, 1), org.assertj.core.data.Offset.offset(1e-15));
        assertThat(graph.getUpdater().getStateViewArray()).isEqualTo(state);

        double lowered = greedy.report(graph, 2.0);
        assertThat(lowered).isCloseTo(raised * 0.5, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(greedy.history()).hasSize(2);
        graph.fit(train);
    }

    private static GreedyLrListener trainingLossGreedy() {
        return GreedyLrListener.builder().trainingLoss().patience(1).factor(0.7).threshold(0.02).cooldown(1)
                .minLr(1e-4).maxLr(0.2).build();
    }

    private static LearningRateRecorder train(MultiLayerNetwork net, GreedyLrListener greedy, int epochs) {
        LearningRateRecorder recorder = new LearningRateRecorder();
        net.setListeners(recorder, greedy);
        ListDataSetIterator<DataSet> train = TestData.iterator(TRAIN, 32);
        for (int e = 0; e < epochs; e++) {
            net.fit(train);
        }
        return recorder;
    }

    @Test
    void resumingFromACheckpointGivesTheSameRun() throws IOException {
        int total = 8;
        int cut = 3;
        MultiLayerNetwork straight = TestNets.noisyMlp(new Adam(0.02));
        GreedyLrListener straightGreedy = trainingLossGreedy();
        LearningRateRecorder straightLr = train(straight, straightGreedy, total);
        assertThat(straightGreedy.history()).as("the run must change its rate").hasSizeGreaterThanOrEqualTo(2);

        MultiLayerNetwork first = TestNets.noisyMlp(new Adam(0.02));
        GreedyLrListener firstGreedy = trainingLossGreedy();
        LearningRateRecorder firstLr = train(first, firstGreedy, cut);
        File zip = tmp.resolve("checkpoint.zip").toFile();
        firstGreedy.checkpoint(first, zip);

        MultiLayerNetwork resumed = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        GreedyLrListener resumedGreedy = trainingLossGreedy();
        resumedGreedy.restoreState(zip);
        assertThat(resumedGreedy.rule().toString()).isEqualTo(firstGreedy.rule().toString());
        LearningRateRecorder secondLr = train(resumed, resumedGreedy, total - cut);

        assertThat(resumedGreedy.history()).isEqualTo(straightGreedy.history());
        double[] expected = straightLr.learningRates("0_W");
        double[] before = firstLr.learningRates("0_W");
        double[] after = secondLr.learningRates("0_W");
        assertThat(before.length + after.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            double actual = i < before.length ? before[i] : after[i - before.length];
            assertThat(actual).as("iteration %s", i).isEqualTo(expected[i]);
        }
        assertThat(resumed.params()).isEqualTo(straight.params());
    }

    @Test
    void restoreStateRejectsAZipWithoutOneAndAStateOfTheOtherDirection() throws IOException {
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(0.1));
        File zip = tmp.resolve("model.zip").toFile();
        ModelSerializer.writeModel(net, zip, true);
        GreedyLrListener greedy = GreedyLrListener.builder().reported(PlateauTracker.Mode.MIN).build();
        assertThatThrownBy(() -> greedy.restoreState(zip)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no GreedyLR state");
        greedy.report(net, 1.0);
        greedy.saveState(zip);
        GreedyLrListener accuracy = GreedyLrListener.builder().reported(PlateauTracker.Mode.MAX).build();
        assertThatThrownBy(() -> accuracy.restoreState(zip)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mode MIN");
        GreedyLrListener same = GreedyLrListener.builder().reported(PlateauTracker.Mode.MIN).build();
        same.restoreState(zip);
        assertThat(same.rule().getSteps()).isEqualTo(1);
        assertThat(same.rule().getInitialLr()).isEqualTo(0.1);
    }

    @Test
    void optionsThatContradictEachOtherFailAtBuildNamingBoth() {
        assertThatThrownBy(() -> GreedyLrListener.builder().reported(PlateauTracker.Mode.MIN)
                .evaluateEveryIterations(5).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reported(MIN)").hasMessageContaining("evaluateEveryIterations(5)");
        assertThatThrownBy(() -> GreedyLrListener.builder().trainingLoss().reported(PlateauTracker.Mode.MAX).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("trainingLoss()");
        assertThatThrownBy(() -> GreedyLrListener.builder().trainingLoss().build()
                        .report(TestNets.noisyMlp(new Sgd(0.1)), 1.0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reported(mode)");
        assertThatThrownBy(() -> GreedyLrListener.builder().minLr(0.5).maxLr(0.1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minLr (0.5)");
    }
}
