package io.github.lrschedules.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.schedule.CosineRestartsSchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@link LearningRateRecorder} on real training: what it records is {@code schedule.valueAt(iteration, epoch)} for
 * every parameter and iteration, and the same values handed to DL4J as a {@link MapSchedule} train the network to
 * the very same parameters, so the recorded values are the ones DL4J used.
 */
class RecorderTest {

    private static final int EPOCHS = 3;
    private static final int ITERATIONS = EPOCHS * TestData.ITERATIONS_PER_EPOCH;

    @Test
    void frozenLayersAreNotRecorded() {
        MultiLayerNetwork source = TestNets.mlp(new Sgd(0.05));
        MultiLayerNetwork fineTuned = new org.deeplearning4j.nn.transferlearning.TransferLearning.Builder(source)
                .setFeatureExtractor(0).build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        fineTuned.setListeners(recorder);
        TestNets.fitEpochs(fineTuned, TestData.blobs(), 1);
        assertThat(recorder.parameterKeys()).containsExactly("1_W", "1_b", "2_W", "2_b");
        assertThat(recorder.learningRates("1_W")).containsOnly(0.05);
    }

    @Test
    void sgdRecordsWarmupCosineForEveryParameter() {
        ISchedule schedule = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, 4, 20, 0.001, 0.01);
        MultiLayerNetwork net = TestNets.mlp(new Sgd(schedule));

        LearningRateRecorder recorder = train(net, EPOCHS);

        assertThat(recorder.parameterKeys()).containsExactly("0_W", "0_b", "1_W", "1_b", "2_W", "2_b");
        assertRecorded(recorder, net, key -> schedule);
    }

    @Test
    void nesterovsRecordsOneCycleLearningRateWithOneCycleMomentum() {
        ISchedule lr = oneCycle();
        ISchedule momentum = oneCycleMomentum();
        MultiLayerNetwork net = TestNets.mlp(new Nesterovs(lr, momentum));

        LearningRateRecorder recorder = train(net, EPOCHS);

        assertRecorded(recorder, net, key -> lr);
    }

    @Test
    void adamRecordsEpochMilestonesOnComputationGraph() {
        ISchedule schedule = new MilestoneStepSchedule(ScheduleType.EPOCH, 0.01, 0.5, 1, 2);
        ComputationGraph graph = TestNets.graph(new Adam(schedule));

        LearningRateRecorder recorder = train(graph, EPOCHS);

        assertThat(recorder.parameterKeys())
                .containsExactly("left_W", "left_b", "right_W", "right_b", "out_W", "out_b");
        assertRecorded(recorder, graph, key -> schedule);
        // the recorded curve really has the epoch steps, at the first iteration of epochs 1 and 2
        double[] recorded = recorder.learningRates("out_W");
        assertThat(recorded[TestData.ITERATIONS_PER_EPOCH - 1]).isEqualTo(0.01);
        assertThat(recorded[TestData.ITERATIONS_PER_EPOCH]).isEqualTo(0.005);
        assertThat(recorded[2 * TestData.ITERATIONS_PER_EPOCH]).isEqualTo(0.0025);
    }

    @Test
    void recordsOnlyParametersWithALearningRateEachWithItsOwnSchedule() {
        ISchedule weights = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.05, 3, 15, 0.001, 0.005);
        ISchedule biases = new CosineRestartsSchedule(ScheduleType.ITERATION, 0.02, 4, 2.0, 0.002);
        MultiLayerConfiguration conf = TestNets.base(new Adam(weights))
                .biasUpdater(new Sgd(biases))
                .list()
                .layer(new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(16).build())
                // NoOp has no learning rate: both parameters of this layer (its own bias updater too) are skipped
                .layer(new DenseLayer.Builder().nIn(16).nOut(12).updater(new NoOp()).biasUpdater(new NoOp())
                        .build())
                .layer(TestNets.output(12))
                .build();
        MultiLayerNetwork net = TestNets.init(conf);

        LearningRateRecorder recorder = train(net, EPOCHS);

        assertThat(net.paramTable().keySet()).contains("1_W", "1_b");
        assertThat(recorder.parameterKeys()).containsExactly("0_W", "0_b", "2_W", "2_b");
        assertRecorded(recorder, net, key -> key.endsWith("_b") ? biases : weights);
    }

    @Test
    void csvParsesBackToTheRecordedNumbers(@TempDir Path dir) throws IOException {
        ISchedule schedule = new MilestoneStepSchedule(ScheduleType.EPOCH, 0.01, 0.5, 1, 2);
        ComputationGraph graph = TestNets.graph(new Adam(schedule));
        LearningRateRecorder recorder = train(graph, EPOCHS);
        Path file = dir.resolve("runs").resolve("lr.csv");

        recorder.writeCsv(file);

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("iteration,epoch,score,left_W,left_b,right_W,right_b,out_W,out_b");
        assertThat(lines).hasSize(1 + ITERATIONS);
        List<String> keys = recorder.parameterKeys();
        for (int i = 0; i < ITERATIONS; i++) {
            String[] cells = lines.get(i + 1).split(",", -1);
            assertThat(cells).as("row %d", i).hasSize(3 + keys.size());
            assertThat(Integer.parseInt(cells[0])).isEqualTo(recorder.iterations()[i]);
            assertThat(Integer.parseInt(cells[1])).isEqualTo(recorder.epochs()[i]);
            assertThat(Double.parseDouble(cells[2])).isEqualTo(recorder.scores()[i]);
            for (int k = 0; k < keys.size(); k++) {
                assertThat(Double.parseDouble(cells[3 + k])).as("row %d, %s", i, keys.get(k))
                        .isEqualTo(recorder.learningRates(keys.get(k))[i])
                        .isEqualTo(schedule.valueAt(i, i / TestData.ITERATIONS_PER_EPOCH));
            }
        }
    }

    @Test
    void adamTrainsExactlyAsWithTheSameValuesInAMapSchedule() {
        ISchedule schedule = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.02, 5, 20, 0.0005, 0.001);

        assertSameTrainingAsMapSchedule(
                TestNets.mlp(new Adam(schedule)),
                TestNets.mlp(new Adam(mapSchedule(schedule, 0))),
                TestNets.mlp(new Adam(mapSchedule(schedule, 1))),
                schedule);
    }

    @Test
    void nesterovsTrainsExactlyAsWithTheSameValuesInMapSchedules() {
        ISchedule lr = oneCycle();
        ISchedule momentum = oneCycleMomentum();

        assertSameTrainingAsMapSchedule(
                TestNets.mlp(new Nesterovs(lr, momentum)),
                TestNets.mlp(new Nesterovs(mapSchedule(lr, 0), mapSchedule(momentum, 0))),
                // only the momentum is off by one iteration here: momentum must matter too
                TestNets.mlp(new Nesterovs(mapSchedule(lr, 0), mapSchedule(momentum, 1))),
                lr);
    }

    /**
     * Trains {@code ours} (with a recorder), {@code reference} (DL4J's MapSchedule with the same values) and
     * {@code shifted} (values one iteration off) on the same data: {@code ours} and {@code reference} end with
     * identical parameters and updater state; {@code shifted} does not, so the comparison can tell.
     */
    private static void assertSameTrainingAsMapSchedule(MultiLayerNetwork ours, MultiLayerNetwork reference,
                                                        MultiLayerNetwork shifted, ISchedule lr) {
        assertThat(ours.params()).isEqualTo(reference.params());
        LearningRateRecorder recorder = train(ours, EPOCHS);
        TestNets.fitEpochs(reference, TestData.blobs(), EPOCHS);
        TestNets.fitEpochs(shifted, TestData.blobs(), EPOCHS);

        assertRecorded(recorder, ours, key -> lr);
        assertThat(ours.params().toDoubleVector()).containsExactly(reference.params().toDoubleVector());
        assertThat(ours.params()).isEqualTo(reference.params());
        assertThat(ours.getUpdater().getStateViewArray().toDoubleVector())
                .containsExactly(reference.getUpdater().getStateViewArray().toDoubleVector());
        assertThat(ours.params()).isNotEqualTo(shifted.params());
    }

    /** DL4J's own schedule holding {@code schedule}'s value of iteration {@code i + shift} at key {@code i}. */
    private static MapSchedule mapSchedule(ISchedule schedule, int shift) {
        Map<Integer, Double> values = new HashMap<>();
        for (int i = 0; i < ITERATIONS; i++) {
            values.put(i, schedule.valueAt(i + shift, 0));
        }
        return new MapSchedule(ScheduleType.ITERATION, values);
    }

    private static ISchedule oneCycle() {
        return new OneCycleSchedule(ScheduleType.ITERATION, 0.05, ITERATIONS, 0.25, 10, 100,
                OneCycleSchedule.Anneal.COS, false);
    }

    private static ISchedule oneCycleMomentum() {
        return OneCycleSchedule.momentum(ScheduleType.ITERATION, ITERATIONS, 0.25, 0.85, 0.95,
                OneCycleSchedule.Anneal.COS, false);
    }

    private static LearningRateRecorder train(Model model, int epochs) {
        LearningRateRecorder recorder = new LearningRateRecorder();
        model.setListeners(recorder);
        TestNets.fitEpochs(model, TestData.blobs(), epochs);
        return recorder;
    }

    /**
     * Consecutive iterations {@code 0..n-1} with their epochs, finite scores that fell during training, keys that
     * are exactly the model's parameters with a learning rate (in paramTable order), and for each key and iteration
     * exactly {@code schedule.valueAt(iteration, epoch)}.
     */
    private static void assertRecorded(LearningRateRecorder recorder, Model model,
                                       Function<String, ISchedule> scheduleOfKey) {
        assertThat(recorder.size()).isEqualTo(ITERATIONS);
        int[] iterations = recorder.iterations();
        int[] epochs = recorder.epochs();
        for (int i = 0; i < ITERATIONS; i++) {
            assertThat(iterations[i]).as("iteration at row %d", i).isEqualTo(i);
            assertThat(epochs[i]).as("epoch at row %d", i).isEqualTo(i / TestData.ITERATIONS_PER_EPOCH);
        }
        double[] scores = recorder.scores();
        for (double score : scores) {
            assertThat(score).isFinite().isPositive();
        }
        assertThat(scores[ITERATIONS - 1]).as("last score below the first").isLessThan(scores[0]);

        List<String> keysWithLearningRate = new ArrayList<>();
        Map<String, IUpdater> updaters = updatersByKey(model);
        for (Map.Entry<String, IUpdater> e : updaters.entrySet()) {
            if (e.getValue().hasLearningRate()) {
                keysWithLearningRate.add(e.getKey());
            }
        }
        assertThat(recorder.parameterKeys()).containsExactlyElementsOf(keysWithLearningRate);

        for (String key : recorder.parameterKeys()) {
            double[] recorded = recorder.learningRates(key);
            ISchedule schedule = scheduleOfKey.apply(key);
            for (int i = 0; i < ITERATIONS; i++) {
                assertThat(recorded[i]).as("%s at iteration %d", key, i)
                        .isEqualTo(schedule.valueAt(iterations[i], epochs[i]));
            }
        }
    }

    /** Updater of every entry of {@code model.paramTable()}, in its order. */
    private static Map<String, IUpdater> updatersByKey(Model model) {
        Map<String, IUpdater> updaters = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> entry : model.paramTable().entrySet()) {
            String key = entry.getKey();
            int split = key.lastIndexOf('_');
            String layer = key.substring(0, split);
            String param = key.substring(split + 1);
            org.deeplearning4j.nn.api.Layer l = model instanceof MultiLayerNetwork
                    ? ((MultiLayerNetwork) model).getLayer(Integer.parseInt(layer))
                    : ((ComputationGraph) model).getLayer(layer);
            updaters.put(key, l.conf().getLayer().getUpdaterByParam(param));
        }
        return updaters;
    }
}
