package io.github.lrschedules.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.github.lrschedules.schedule.CyclicSchedule;
import io.github.lrschedules.schedule.LinearSchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Measures the learning rate DL4J really applied, without looking at the updater configuration: with plain SGD the
 * step of every parameter element is {@code -lr * gradient / batchSize}, so {@code lr = (old - new) / (grad /
 * batchSize)}, where {@code grad} is the raw gradient seen in {@code onGradientCalculation} (before the updater
 * divides it by the mini-batch size and scales it in place).
 */
class AppliedLearningRateTest {

    private static final double GRADIENT_FLOOR = 1e-6;
    private static final double RELATIVE_TOLERANCE = 1e-6;

    @Test
    void mlpAppliesWarmupCosineToWeightsAndBiases() {
        ISchedule schedule = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, 5, 20, 0.002, 0.01);
        MultiLayerNetwork net = TestNets.mlp(new Sgd(schedule));

        AppliedLearningRateProbe probe = train(net, TestData.blobs(), 3);

        assertThat(probe.keys()).containsExactly("0_W", "0_b", "1_W", "1_b", "2_W", "2_b");
        assertApplied(probe, sameScheduleForAll(net.paramTable().keySet(), schedule), 3);
    }

    @Test
    void cnnAppliesOneCycleToConvolutionDenseAndOutputLayers() {
        ISchedule schedule = new OneCycleSchedule(ScheduleType.ITERATION, 0.1, 16, 0.25, 10, 100,
                OneCycleSchedule.Anneal.COS, false);
        MultiLayerNetwork net = TestNets.cnn(new Sgd(schedule));

        AppliedLearningRateProbe probe = train(net, TestData.images(), 3);

        // layer 1 (max pooling) has no parameters
        assertThat(probe.keys()).containsExactlyInAnyOrder("0_W", "0_b", "2_W", "2_b", "3_W", "3_b");
        assertApplied(probe, sameScheduleForAll(net.paramTable().keySet(), schedule), 3);
    }

    @Test
    void computationGraphAppliesCyclicSchedule() {
        ISchedule schedule = new CyclicSchedule(ScheduleType.ITERATION, 0.01, 0.1, 3, 5,
                CyclicSchedule.Mode.TRIANGULAR2, 1.0);
        ComputationGraph graph = TestNets.graph(new Sgd(schedule));

        AppliedLearningRateProbe probe = train(graph, TestData.blobs(), 3);

        assertThat(probe.keys()).containsExactly("left_W", "left_b", "right_W", "right_b", "out_W", "out_b");
        assertApplied(probe, sameScheduleForAll(graph.paramTable().keySet(), schedule), 3);
    }

    @Test
    void epochMilestonesSwitchExactlyAtTheEpochBoundaryInMultiLayerNetwork() {
        ISchedule schedule = new MilestoneStepSchedule(ScheduleType.EPOCH, 0.1, 0.3, 2, 3);
        MultiLayerNetwork net = TestNets.mlp(new Sgd(schedule));

        AppliedLearningRateProbe probe = train(net, TestData.blobs(), 4);

        assertApplied(probe, sameScheduleForAll(net.paramTable().keySet(), schedule), 4);
        assertEpochSwitches(probe, net.paramTable().keySet());
    }

    @Test
    void epochMilestonesSwitchExactlyAtTheEpochBoundaryInComputationGraph() {
        ISchedule schedule = new MilestoneStepSchedule(ScheduleType.EPOCH, 0.1, 0.3, 2, 3);
        ComputationGraph graph = TestNets.graph(new Sgd(schedule));

        AppliedLearningRateProbe probe = train(graph, TestData.blobs(), 4);

        assertApplied(probe, sameScheduleForAll(graph.paramTable().keySet(), schedule), 4);
        assertEpochSwitches(probe, graph.paramTable().keySet());
    }

    /** Milestones at epochs 2 and 3: 0.1 for epochs 0-1, 0.03 in epoch 2, 0.009 from epoch 3. */
    private static void assertEpochSwitches(AppliedLearningRateProbe probe, Iterable<String> keys) {
        int perEpoch = TestData.ITERATIONS_PER_EPOCH;
        for (String key : keys) {
            assertThat(probe.observation(key, 2 * perEpoch - 1).medianLearningRate())
                    .as("%s, last iteration of epoch 1", key).isCloseTo(0.1, withinPercentage(1e-4));
            assertThat(probe.observation(key, 2 * perEpoch).medianLearningRate())
                    .as("%s, first iteration of epoch 2", key).isCloseTo(0.03, withinPercentage(1e-4));
            assertThat(probe.observation(key, 3 * perEpoch - 1).medianLearningRate())
                    .as("%s, last iteration of epoch 2", key).isCloseTo(0.03, withinPercentage(1e-4));
            assertThat(probe.observation(key, 3 * perEpoch).medianLearningRate())
                    .as("%s, first iteration of epoch 3", key).isCloseTo(0.009, withinPercentage(1e-4));
        }
    }

    @Test
    void layerUpdatersAndBiasUpdatersFollowTheirOwnSchedules() {
        ISchedule globalWeights = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, 4, 16, 0.005, 0.02);
        ISchedule globalBiases = new CyclicSchedule(ScheduleType.ITERATION, 0.01, 0.08, 2, 3,
                CyclicSchedule.Mode.TRIANGULAR, 1.0);
        ISchedule layerOneWeights = new OneCycleSchedule(ScheduleType.ITERATION, 0.12, 16, 0.3, 8, 50,
                OneCycleSchedule.Anneal.LINEAR, false);
        ISchedule outputBiases = new LinearSchedule(ScheduleType.ITERATION, 0.05, 1.0, 0.2, 12);
        MultiLayerConfiguration conf = TestNets.base(new Sgd(globalWeights))
                .biasUpdater(new Sgd(globalBiases))
                .list()
                .layer(new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(16).build())
                .layer(new DenseLayer.Builder().nIn(16).nOut(12).updater(new Sgd(layerOneWeights)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(12).nOut(TestData.CLASSES).biasUpdater(new Sgd(outputBiases)).build())
                .build();
        MultiLayerNetwork net = TestNets.init(conf);

        AppliedLearningRateProbe probe = train(net, TestData.blobs(), 3);

        Map<String, ISchedule> expected = new LinkedHashMap<>();
        expected.put("0_W", globalWeights);
        expected.put("0_b", globalBiases);
        expected.put("1_W", layerOneWeights);
        // a layer's own updater does not replace the global bias updater (DL4J fills in only what is unset)
        expected.put("1_b", globalBiases);
        expected.put("2_W", globalWeights);
        expected.put("2_b", outputBiases);
        assertApplied(probe, expected, 3);
        // the schedules really differ where it is checked, so a mix-up of keys cannot pass
        assertThat(globalWeights.valueAt(1, 0)).isNotEqualTo(globalBiases.valueAt(1, 0));
        assertThat(layerOneWeights.valueAt(1, 0)).isNotEqualTo(globalWeights.valueAt(1, 0));
        assertThat(outputBiases.valueAt(1, 0)).isNotEqualTo(globalBiases.valueAt(1, 0));
    }

    private static Map<String, ISchedule> sameScheduleForAll(Iterable<String> keys, ISchedule schedule) {
        Map<String, ISchedule> map = new LinkedHashMap<>();
        for (String key : keys) {
            map.put(key, schedule);
        }
        return map;
    }

    private static AppliedLearningRateProbe train(Model model, org.nd4j.linalg.dataset.api.iterator.DataSetIterator data,
                                                  int epochs) {
        AppliedLearningRateProbe probe = new AppliedLearningRateProbe();
        model.setListeners(probe);
        TestNets.fitEpochs(model, data, epochs);
        return probe;
    }

    /**
     * Every parameter key is observed at every iteration {@code 0..n-1} with the epoch DL4J reported, and the
     * learning rate measured from the parameter change is {@code schedule.valueAt(iteration, epoch)}: the median
     * over elements within 1e-6 (relative), and every single element within 1e-6 plus a few ulps of the parameter.
     */
    private static void assertApplied(AppliedLearningRateProbe probe, Map<String, ISchedule> expected, int epochs) {
        int iterations = epochs * TestData.ITERATIONS_PER_EPOCH;
        assertThat(probe.keys()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(probe.observations()).hasSize(iterations * expected.size());
        for (int i = 0; i < iterations; i++) {
            for (Map.Entry<String, ISchedule> entry : expected.entrySet()) {
                Observation o = probe.observation(entry.getKey(), i);
                assertThat(o.epoch).as("epoch of iteration %d", i).isEqualTo(i / TestData.ITERATIONS_PER_EPOCH);
                double lr = entry.getValue().valueAt(o.iteration, o.epoch);
                assertThat(o.usableElements())
                        .as("%s at iteration %d has elements with |grad| > %s", o.key, i, GRADIENT_FLOOR)
                        .isPositive();
                assertThat(o.medianLearningRate())
                        .as("applied LR of %s at iteration %d, epoch %d", o.key, i, o.epoch)
                        .isCloseTo(lr, withinPercentage(RELATIVE_TOLERANCE * 100));
                assertThat(o.disagreeingElements(lr))
                        .as("elements of %s at iteration %d whose step is not lr * grad (lr %s)", o.key, i, lr)
                        .isZero();
            }
        }
    }

    /** One parameter at one iteration: how it moved and the mini-batch-averaged raw gradient that moved it. */
    static final class Observation {
        final String key;
        final int iteration;
        final int epoch;
        private final double[] before;
        private final double[] after;
        private final double[] gradient;

        Observation(String key, int iteration, int epoch, double[] before, double[] after, double[] gradient) {
            this.key = key;
            this.iteration = iteration;
            this.epoch = epoch;
            this.before = before;
            this.after = after;
            this.gradient = gradient;
        }

        int usableElements() {
            int n = 0;
            for (double g : gradient) {
                if (Math.abs(g) > GRADIENT_FLOOR) {
                    n++;
                }
            }
            return n;
        }

        /** Median of {@code (old - new) / grad} over elements with {@code |grad| > 1e-6}; NaN if there are none. */
        double medianLearningRate() {
            double[] ratios = new double[usableElements()];
            int n = 0;
            for (int j = 0; j < gradient.length; j++) {
                if (Math.abs(gradient[j]) > GRADIENT_FLOOR) {
                    ratios[n++] = (before[j] - after[j]) / gradient[j];
                }
            }
            if (n == 0) {
                return Double.NaN;
            }
            Arrays.sort(ratios);
            return n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
        }

        /**
         * Elements with {@code |grad| > 1e-6} whose step differs from {@code lr * grad} by more than 1e-6 of the
         * step plus the rounding of the subtraction from the parameter (a few ulps of the parameter).
         */
        int disagreeingElements(double lr) {
            int n = 0;
            for (int j = 0; j < gradient.length; j++) {
                if (Math.abs(gradient[j]) > GRADIENT_FLOOR) {
                    double step = lr * gradient[j];
                    double tolerance = RELATIVE_TOLERANCE * Math.abs(step)
                            + 4 * Math.ulp(Math.max(Math.abs(before[j]), Math.abs(after[j])));
                    if (!(Math.abs((before[j] - after[j]) - step) <= tolerance)) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /** Test-only listener: snapshots parameters and raw gradients before the update, compares after it. */
    static final class AppliedLearningRateProbe extends BaseTrainingListener {

        private Map<String, double[]> paramsBefore;
        private Map<String, double[]> gradients;
        private final List<Observation> observations = new ArrayList<>();
        private final List<String> keys = new ArrayList<>();

        @Override
        public void onGradientCalculation(Model model) {
            double batchSize = model.batchSize();
            paramsBefore = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> p : model.paramTable().entrySet()) {
                paramsBefore.put(p.getKey(), values(p.getValue()));
            }
            gradients = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> g : model.gradient().gradientForVariable().entrySet()) {
                double[] v = values(g.getValue());
                for (int j = 0; j < v.length; j++) {
                    // the same division the updater does in place before it applies the learning rate
                    v[j] = v[j] / batchSize;
                }
                gradients.put(g.getKey(), v);
            }
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            Map<String, INDArray> after = model.paramTable();
            if (keys.isEmpty()) {
                keys.addAll(after.keySet());
            }
            for (String key : after.keySet()) {
                double[] gradient = gradients.get(key);
                if (gradient == null) {
                    throw new IllegalStateException("no gradient for " + key + " at iteration " + iteration);
                }
                observations.add(new Observation(key, iteration, epoch, paramsBefore.get(key),
                        values(after.get(key)), gradient));
            }
            paramsBefore = null;
            gradients = null;
        }

        List<String> keys() {
            return keys;
        }

        List<Observation> observations() {
            return observations;
        }

        Observation observation(String key, int iteration) {
            for (Observation o : observations) {
                if (o.key.equals(key) && o.iteration == iteration) {
                    return o;
                }
            }
            throw new AssertionError("no observation of " + key + " at iteration " + iteration);
        }

        /** Elements in logical ('c') order, the same order for a parameter and its gradient. */
        private static double[] values(INDArray array) {
            return array.dup('c').data().asDouble();
        }
    }
}
