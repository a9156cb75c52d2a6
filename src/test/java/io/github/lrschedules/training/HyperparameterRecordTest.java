package io.github.lrschedules.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.record.Hyperparameter;
import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.schedule.LinearSchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedulefree.ScheduleFree;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import io.github.lrschedules.updater.ScheduledAdam;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@link LearningRateRecorder} with momentum and weight decay (Lightning's {@code log_momentum},
 * {@code log_weight_decay}) on real training: the value recorded at each iteration is the one the configuration gives
 * the step of that iteration, for every parameter; without the options the record and its CSV are the rates alone.
 */
class HyperparameterRecordTest {

    private static final int EPOCHS = 3;
    private static final int ITERATIONS = EPOCHS * TestData.ITERATIONS_PER_EPOCH;
    private static final List<String> PARAMS = List.of("0_W", "0_b", "1_W", "1_b", "2_W", "2_b");

    private static LearningRateRecorder train(MultiLayerNetwork net, boolean momentum, boolean weightDecay) {
        LearningRateRecorder recorder = LearningRateRecorder.builder().momentum(momentum).weightDecay(weightDecay)
                .build();
        net.setListeners(recorder);
        ScheduleFree.attach(net);
        TestNets.fitEpochs(net, TestData.blobs(), EPOCHS);
        assertThat(recorder.size()).isEqualTo(ITERATIONS);
        return recorder;
    }

    private static void assertFollows(LearningRateRecorder recorder, Hyperparameter h, String param,
                                      ISchedule schedule) {
        assertFollows(recorder, h, param, schedule, 1);
    }

    private static void assertFollows(LearningRateRecorder recorder, Hyperparameter h, String param,
                                      ISchedule schedule, int times) {
        double[] values = recorder.hyperparameters(h, param);
        int[] iterations = recorder.iterations();
        int[] epochs = recorder.epochs();
        assertThat(values).hasSize(ITERATIONS);
        for (int i = 0; i < ITERATIONS; i++) {
            assertThat(values[i]).as(h + " of " + param + " at iteration " + iterations[i])
                    .isEqualTo(times * schedule.valueAt(iterations[i], epochs[i]));
        }
    }

    @Test
    void oneCycleScheduledAdamRecordsTheCycledBeta1AndTheDecayScheduleOfEveryIteration() {
        OneCycleSchedule.Builder cycle = OneCycleSchedule.builder(ScheduleType.ITERATION, 0.01, ITERATIONS);
        ISchedule beta1 = cycle.buildMomentum();
        ISchedule decay = new LinearSchedule(ScheduleType.ITERATION, 0.02, 1.0, 0.25, ITERATIONS);
        MultiLayerNetwork net = TestNets.mlp(new ScheduledAdam(cycle.build(), beta1, 0.999, 1e-8, decay));
        LearningRateRecorder recorder = train(net, true, true);

        for (String param : PARAMS) {
            assertFollows(recorder, Hyperparameter.MOMENTUM, param, beta1);
            assertFollows(recorder, Hyperparameter.WEIGHT_DECAY, param, decay);
        }
        double[] b = recorder.hyperparameters(Hyperparameter.MOMENTUM, "0_W");
        assertThat(b[0]).as("one-cycle starts at the max momentum").isCloseTo(0.95, within(1e-12));
        assertThat(java.util.Arrays.stream(b).min().getAsDouble()).as("the base momentum at the rate's peak")
                .isCloseTo(0.85, within(1e-3));
        assertThat(recorder.hyperparameterKeys()).containsExactly(
                "momentum:0_W", "momentum:0_b", "momentum:1_W", "momentum:1_b", "momentum:2_W", "momentum:2_b",
                "weightDecay:0_W", "weightDecay:0_b", "weightDecay:1_W", "weightDecay:1_b", "weightDecay:2_W",
                "weightDecay:2_b");
        assertThat(recorder.columnCount()).as("rates, beta1 and decay: one column each for all six parameters")
                .isEqualTo(3);
    }

    @Test
    void nesterovsRecordsItsMomentumScheduleAndAdamItsConstantBeta1() {
        ISchedule momentum = new MilestoneStepSchedule(ScheduleType.ITERATION, 0.99, 0.9, 7, 15);
        MultiLayerNetwork nesterovs = TestNets.mlp(new Nesterovs(new org.nd4j.linalg.schedule.FixedSchedule(0.05),
                momentum));
        LearningRateRecorder recorder = train(nesterovs, true, false);
        for (String param : PARAMS) {
            assertFollows(recorder, Hyperparameter.MOMENTUM, param, momentum);
        }
        assertThat(recorder.hyperparameters("momentum:1_b"))
                .contains(momentum.valueAt(0, 0), momentum.valueAt(7, 0), momentum.valueAt(15, 0));

        LearningRateRecorder adam = train(TestNets.mlp(new Adam(0.01, 0.8, 0.999, 1e-8)), true, true);
        assertThat(adam.hyperparameters(Hyperparameter.MOMENTUM, "2_W")).containsOnly(0.8);
        assertThat(adam.hyperparameterKeys()).as("Adam has no weight decay of its own")
                .allMatch(k -> k.startsWith("momentum:"));

        LearningRateRecorder sgd = train(TestNets.mlp(new Sgd(0.05)), true, true);
        assertThat(sgd.hyperparameterKeys()).as("Sgd has neither").isEmpty();
        assertThatThrownBy(() -> sgd.hyperparameters(Hyperparameter.MOMENTUM, "0_W"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("columnKey (momentum:0_W) was not recorded");
    }

    @Test
    void weightDecayRegularizationRecordsItsCoefficientScheduleStatingWhetherTheRateMultipliesIt(@TempDir Path dir)
            throws Exception {
        ISchedule coefficient = new MilestoneStepSchedule(ScheduleType.EPOCH, 1e-3, 0.1, 1, 2);
        ISchedule biasCoefficient = new LinearSchedule(ScheduleType.ITERATION, 1e-4, 1.0, 0.0, ITERATIONS);
        MultiLayerNetwork net = TestNets.init(TestNets.mlpConf(TestNets.base(new Sgd(0.05))
                .regularization(List.of(new WeightDecay(coefficient, true), new L2Regularization(2e-4)))
                .regularizationBias(List.of(new WeightDecay(biasCoefficient, false)))));
        LearningRateRecorder recorder = train(net, true, true);

        // DL4J 1.0.0-M2.1 lists a WeightDecay given to NeuralNetConfiguration.Builder twice in every layer and applies
        // both (weightDecayIsAppliedTwiceWhenSetForTheWholeNetwork): the recorder records the sum, what a step applies
        for (String layer : List.of("0", "1", "2")) {
            assertFollows(recorder, Hyperparameter.WEIGHT_DECAY, layer + "_W", coefficient, 2);
            assertFollows(recorder, Hyperparameter.WEIGHT_DECAY_WITHOUT_LR, layer + "_b", biasCoefficient, 2);
            assertThat(recorder.hyperparameters(Hyperparameter.L2, layer + "_W")).containsOnly(2e-4);
        }
        assertThat(recorder.hyperparameters("weightDecay:0_W")).as("changes at each epoch")
                .contains(2 * coefficient.valueAt(0, 0), 2 * coefficient.valueAt(0, 1), 2 * coefficient.valueAt(0, 2));
        assertThat(recorder.hyperparameterKeys()).as("Sgd: no momentum; the biases' decay does not use the rate")
                .containsExactly("weightDecay:0_W", "weightDecay:1_W", "weightDecay:2_W",
                        "weightDecayWithoutLr:0_b", "weightDecayWithoutLr:1_b", "weightDecayWithoutLr:2_b",
                        "l2:0_W", "l2:1_W", "l2:2_W");

        Path csv = dir.resolve("lr.csv");
        recorder.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(ITERATIONS + 1);
        assertThat(lines.get(0)).isEqualTo("iteration,epoch,score,0_W,0_b,1_W,1_b,2_W,2_b,weightDecay:0_W,"
                + "weightDecay:1_W,weightDecay:2_W,weightDecayWithoutLr:0_b,weightDecayWithoutLr:1_b,"
                + "weightDecayWithoutLr:2_b,l2:0_W,l2:1_W,l2:2_W");
        String[] last = lines.get(ITERATIONS).split(",");
        assertThat(Double.parseDouble(last[9])).isEqualTo(2 * coefficient.valueAt(ITERATIONS - 1, EPOCHS - 1));
        assertThat(Double.parseDouble(last[12])).isEqualTo(2 * biasCoefficient.valueAt(ITERATIONS - 1, EPOCHS - 1));

        // the default recorder writes the rates alone, as 1.0 did
        MultiLayerNetwork same = TestNets.init(TestNets.mlpConf(TestNets.base(new Sgd(0.05))
                .regularization(List.of(new WeightDecay(coefficient, true)))));
        LearningRateRecorder plain = new LearningRateRecorder();
        same.setListeners(plain);
        TestNets.fitEpochs(same, TestData.blobs(), 1);
        assertThat(plain.hyperparameterKeys()).isEmpty();
        Path plainCsv = dir.resolve("plain.csv");
        plain.writeCsv(plainCsv);
        assertThat(Files.readAllLines(plainCsv, StandardCharsets.UTF_8).get(0))
                .isEqualTo("iteration,epoch,score,0_W,0_b,1_W,1_b,2_W,2_b");
    }

    /**
     * What the doubled weight-decay columns above rest on: with a learning rate of 0, one step of DL4J's
     * {@code WeightDecay(0.1, false)} given to the network's builder scales the weights by 0.8, not 0.9. A canary: it
     * fails once DL4J applies the decay once, and the recorder's sum then records 0.1 again.
     */
    @Test
    void weightDecayIsAppliedTwiceWhenSetForTheWholeNetwork() {
        MultiLayerNetwork net = TestNets.init(TestNets.mlpConf(TestNets.base(new Sgd(0.0))
                .regularization(List.of(new WeightDecay(0.1, false)))));
        double before = net.getParam("0_W").getDouble(0);
        LearningRateRecorder recorder = LearningRateRecorder.builder().weightDecay(true).build();
        net.setListeners(recorder);
        net.fit(TestData.blobs().next());
        assertThat(net.getParam("0_W").getDouble(0) / before).isCloseTo(0.8, within(1e-12));
        assertThat(recorder.hyperparameters(Hyperparameter.WEIGHT_DECAY_WITHOUT_LR, "0_W")).containsExactly(0.2);
    }
}
