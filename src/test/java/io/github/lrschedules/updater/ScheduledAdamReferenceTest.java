package io.github.lrschedules.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedulefree.ScheduleFree;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ScheduledAdam} against real {@code torch.optim.Adam}/{@code AdamW} 2.13 under {@code OneCycleLR} with
 * {@code cycle_momentum=True} (and a weight-decay schedule set by hand), float64, 40 full-batch steps of a
 * least-squares OutputLayer: relative error at most 1e-9 after every step; a save and restore halfway continues the
 * same trajectory bit for bit.
 */
class ScheduledAdamReferenceTest {

    private static final double TOLERANCE = 1e-9;

    @BeforeAll
    static void precision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static void fit(Model net, DataSet data) {
        if (net instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) net).fit(data);
        } else {
            ((ComputationGraph) net).fit(data);
        }
    }

    private static double follow(AdamCases c, Model net, int fromStep, int toStep) {
        DataSet data = AdamCases.data();
        double worst = 0;
        for (int step = fromStep + 1; step <= toStep; step++) {
            fit(net, data);
            double error = AdamCases.relativeError(c.parameters(net), c.parameters(step));
            assertThat(error).as("%s: parameters after step %s", c, step).isLessThanOrEqualTo(TOLERANCE);
            worst = Math.max(worst, error);
        }
        System.out.printf("ScheduledAdam %s %s steps %d-%d: largest relative error %.3g%n", c,
                net.getClass().getSimpleName(), fromStep + 1, toStep, worst);
        return worst;
    }

    /** The schedules give, at every step, the lr, beta1 and weight decay PyTorch's param group held. */
    @ParameterizedTest
    @EnumSource(AdamCases.class)
    void schedulesGiveTheHyperparametersOfPyTorchsParamGroup(AdamCases c) {
        ScheduledAdam adam = c.updater();
        for (int k = 0; k < AdamCases.STEPS; k++) {
            double[] expected = c.hyperparameters(k);
            assertThat(adam.getLearningRate(k, 0)).as("lr at %s", k).isCloseTo(expected[0], within(1e-15));
            assertThat(adam.beta1(k, 0)).as("beta1 at %s", k).isCloseTo(expected[1], within(1e-15));
            assertThat(adam.weightDecay(k, 0)).as("wd at %s", k).isCloseTo(expected[2], within(1e-15));
        }
    }

    @ParameterizedTest
    @EnumSource(AdamCases.class)
    void multiLayerNetworkFollowsPyTorch(AdamCases c) {
        MultiLayerNetwork net = c.network();
        assertThat(c.parameters(net)).containsExactly(c.parameters(0));
        follow(c, net, 0, AdamCases.STEPS);
    }

    @ParameterizedTest
    @EnumSource(value = AdamCases.class, names = {"ADAMW_ONECYCLE", "ADAMW_TWO_LAYERS"})
    void computationGraphFollowsPyTorch(AdamCases c) {
        follow(c, c.graph(), 0, AdamCases.STEPS);
    }

    /** DL4J's WeightDecay(schedule, true) multiplies by getLearningRate: the same AdamW step, without attach. */
    @ParameterizedTest
    @EnumSource(value = AdamCases.class, names = {"ADAMW_ONECYCLE", "ADAMW_WD_SCHEDULE", "ADAMW_TWO_LAYERS"})
    void dl4jsOwnWeightDecayWithTheScheduledRateFollowsPyTorchToo(AdamCases c) {
        MultiLayerNetwork net = c.networkWithDl4jWeightDecay();
        assertThat(ScheduleFree.isAttached(net)).isFalse();
        follow(c, net, 0, AdamCases.STEPS);
    }

    /** The reference moves and the cycled beta1 matters: Adam with a fixed beta1 of 0.95 leaves it. */
    @Test
    void aFixedBeta1LeavesTheReference() {
        AdamCases c = AdamCases.ADAM_ONECYCLE;
        assertThat(AdamCases.relativeError(c.parameters(AdamCases.STEPS), c.parameters(0))).isGreaterThan(0.05);
        ScheduledAdam cycled = c.updater();
        ScheduledAdam fixed = new ScheduledAdam(cycled.getLearningRateSchedule(),
                new org.nd4j.linalg.schedule.FixedSchedule(0.95), 0.999, 1e-8,
                new org.nd4j.linalg.schedule.FixedSchedule(0));
        MultiLayerNetwork net = c.network(fixed, java.util.Collections.emptyList());
        DataSet data = AdamCases.data();
        for (int i = 0; i < 20; i++) {
            net.fit(data);
        }
        assertThat(AdamCases.relativeError(c.parameters(net), c.parameters(20))).isGreaterThan(1e-4);
    }

    @ParameterizedTest
    @EnumSource(value = AdamCases.class, names = {"ADAM_ONECYCLE", "ADAMW_ONECYCLE", "ADAMW_TWO_LAYERS"})
    void savedHalfwayAndRestoredContinuesExactly(AdamCases c, @TempDir Path dir) throws IOException {
        DataSet data = AdamCases.data();
        MultiLayerNetwork uninterrupted = c.network();
        MultiLayerNetwork first = c.network();
        for (int i = 0; i < AdamCases.STEPS / 2; i++) {
            uninterrupted.fit(data);
            first.fit(data);
        }
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(first, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(first.getLayerWiseConfigurations());
        ScheduleFree.attach(restored);
        for (int step = AdamCases.STEPS / 2 + 1; step <= AdamCases.STEPS; step++) {
            uninterrupted.fit(data);
            restored.fit(data);
            assertThat(c.parameters(restored)).as("after step %s", step).containsExactly(c.parameters(uninterrupted));
            assertThat(AdamCases.relativeError(c.parameters(restored), c.parameters(step)))
                    .isLessThanOrEqualTo(TOLERANCE);
        }
        assertThat(restored.getUpdater().getStateViewArray())
                .isEqualTo(uninterrupted.getUpdater().getStateViewArray());
    }

    @Test
    void restoredGraphFollowsPyTorch(@TempDir Path dir) throws IOException {
        AdamCases c = AdamCases.ADAMW_TWO_LAYERS;
        ComputationGraph first = c.graph();
        follow(c, first, 0, AdamCases.STEPS / 2);
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(first, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        ScheduleFree.attach(restored);
        follow(c, restored, AdamCases.STEPS / 2, AdamCases.STEPS);
    }

    /** Without the updater state the continued run leaves the reference: the check above can tell. */
    @Test
    void restoringWithoutTheUpdaterStateLeavesTheReference(@TempDir Path dir) throws IOException {
        AdamCases c = AdamCases.ADAM_ONECYCLE;
        MultiLayerNetwork first = c.network();
        for (int i = 0; i < 20; i++) {
            first.fit(AdamCases.data());
        }
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(first, file, false);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, false);
        restored.fit(AdamCases.data());
        assertThat(AdamCases.relativeError(c.parameters(restored), c.parameters(21))).isGreaterThan(1e-4);
    }

    @Test
    void decoupledWeightDecayWithoutAttachFailsWithAMessageAndLeavesTheParameters() {
        AdamCases c = AdamCases.ADAMW_ONECYCLE;
        MultiLayerNetwork net = c.network();
        net.setListeners();
        double[] before = c.parameters(net);
        assertThatThrownBy(() -> net.fit(AdamCases.data()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("weightDecay 0.1")
                .hasMessageContaining("call ScheduleFree.attach(net)");
        assertThat(c.parameters(net)).containsExactly(before);
    }

    /** What the plateau listener does: the rate is scaled, beta1 and the decay schedules stay, the moments too. */
    @Test
    void aPlateauReductionScalesTheRateAndKeepsTheRest() {
        AdamCases c = AdamCases.ADAMW_ONECYCLE;
        MultiLayerNetwork net = c.network();
        follow(c, net, 0, 10);
        double[] state = net.getUpdater().getStateViewArray().dup().data().asDouble();
        java.util.List<org.nd4j.linalg.learning.config.IUpdater> changed = LearningRates.change(net,
                s -> new io.github.lrschedules.schedule.ScaledSchedule(s, 0.5));
        assertThat(changed).hasSize(1);
        ScheduledAdam scaled = (ScheduledAdam) changed.get(0);
        ScheduledAdam original = c.updater();
        assertThat(scaled.getLearningRate(12, 0)).isEqualTo(0.5 * original.getLearningRate(12, 0));
        assertThat(scaled.getBeta1Schedule()).isEqualTo(original.getBeta1Schedule());
        assertThat(scaled.getWeightDecaySchedule()).isEqualTo(original.getWeightDecaySchedule());
        assertThat(net.getUpdater().getStateViewArray().data().asDouble()).containsExactly(state);
        net.fit(AdamCases.data());
        assertThat(AdamCases.relativeError(c.parameters(net), c.parameters(11))).isGreaterThan(1e-6);
    }

    @Test
    void withoutWeightDecayNoAttachIsNeeded() {
        AdamCases c = AdamCases.ADAM_ONECYCLE;
        MultiLayerNetwork net = c.network();
        net.setListeners();
        follow(c, net, 0, 5);
    }
}
