package io.github.lrschedules.lrfree;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Prodigy, D-Adaptation Adam and DoG against the trajectories of {@code scripts/lrfree_reference.py} (optax 0.2.8
 * {@code contrib}, float64): the parameters, the step size each step used and the effective learning rate after each
 * of 40 full-batch steps, relative error at most 1e-9, on MultiLayerNetworks and ComputationGraphs, also across a
 * save and restore halfway.
 */
class LearningRateFreeReferenceTest {

    private static final double TOLERANCE = 1e-9;

    @TempDir
    Path dir;

    @BeforeAll
    static void precision() {
        LrFreeCases.doublePrecision();
    }

    static void fit(Model net, DataSet data) {
        if (net instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) net).fit(data);
        } else {
            ((ComputationGraph) net).fit(data);
        }
    }

    private static double assertFollowsReference(LrFreeCases c, Model net, DataSet data, int fromStep, int toStep) {
        double worst = 0;
        for (int step = fromStep + 1; step <= toStep; step++) {
            fit(net, data);
            double error = LrFreeCases.relativeError(LrFreeCases.parameters(net), c.params(step));
            assertThat(error).as("%s: parameters after step %s", c, step).isLessThanOrEqualTo(TOLERANCE);
            List<Double> sizes = new ArrayList<>(LearningRateFree.estimatedStepSizes(net).values());
            List<Double> rates = new ArrayList<>(LearningRateFree.effectiveLearningRates(net).values());
            assertThat(sizes).as("%s: blocks", c).hasSize(c.blocks());
            for (int b = 0; b < c.blocks(); b++) {
                double d = relative(sizes.get(b), c.stepSizes(step)[b]);
                double lr = relative(rates.get(b), c.effectiveRates(step)[b]);
                assertThat(d).as("%s: step size of block %s at step %s", c, b, step).isLessThanOrEqualTo(TOLERANCE);
                assertThat(lr).as("%s: effective rate of block %s at step %s", c, b, step)
                        .isLessThanOrEqualTo(TOLERANCE);
                worst = Math.max(worst, Math.max(d, lr));
            }
            worst = Math.max(worst, error);
        }
        return worst;
    }

    private static double relative(double actual, double expected) {
        return expected == 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
    }

    @ParameterizedTest
    @EnumSource(LrFreeCases.class)
    void multiLayerNetworkFollowsOptax(LrFreeCases c) {
        MultiLayerNetwork net = c.network();
        assertThat(LrFreeCases.parameters(net)).containsExactly(c.params(0));
        assertThat(LearningRateFree.estimatedStepSizes(net).values()).as("before the first step").allMatch(v -> v.isNaN());
        double worst = assertFollowsReference(c, net, LrFreeCases.data(), 0, LrFreeCases.STEPS);
        System.out.printf("%s: largest relative error over 40 steps %.3g%n", c, worst);
    }

    @ParameterizedTest
    @EnumSource(value = LrFreeCases.class, names = {"PRODIGY_COSINE_L2", "PRODIGY_TWO_BLOCKS", "DADAPT_COSINE_DECAY",
            "DOG"})
    void computationGraphFollowsOptax(LrFreeCases c) {
        assertFollowsReference(c, c.graph(), LrFreeCases.data(), 0, LrFreeCases.STEPS);
    }

    /** Saved halfway with the updater state, restored, attached again: the second half continues bit for bit. */
    @ParameterizedTest
    @EnumSource(value = LrFreeCases.class, names = {"PRODIGY_WEIGHT_DECAY", "PRODIGY_SAFEGUARD", "PRODIGY_TWO_BLOCKS",
            "DADAPT_COSINE_DECAY", "DOG_COSINE_L2", "DOG_LEARNING_RATE"})
    void saveAndRestoreHalfwayContinuesExactly(LrFreeCases c) throws IOException {
        DataSet data = LrFreeCases.data();
        MultiLayerNetwork uninterrupted = c.network();
        MultiLayerNetwork net = c.network();
        int half = LrFreeCases.STEPS / 2;
        assertFollowsReference(c, net, data, 0, half);
        File file = dir.resolve(c + ".zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
        assertThat(LearningRateFree.estimatedStepSizes(restored)).isEqualTo(LearningRateFree.estimatedStepSizes(net));
        LearningRateFree.attach(restored);
        assertFollowsReference(c, restored, data, half, LrFreeCases.STEPS);
        for (int step = 0; step < LrFreeCases.STEPS; step++) {
            fit(uninterrupted, data);
        }
        assertThat(LrFreeCases.parameters(restored)).containsExactly(LrFreeCases.parameters(uninterrupted));
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(uninterrupted.getUpdater().getStateViewArray());
    }

    /** The same for a ComputationGraph with two blocks. */
    @Test
    void computationGraphSaveAndRestoreHalfwayContinuesExactly() throws IOException {
        LrFreeCases c = LrFreeCases.PRODIGY_TWO_BLOCKS;
        DataSet data = LrFreeCases.data();
        ComputationGraph net = c.graph();
        int half = LrFreeCases.STEPS / 2;
        assertFollowsReference(c, net, data, 0, half);
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
        LearningRateFree.attach(restored);
        assertFollowsReference(c, restored, data, half, LrFreeCases.STEPS);
        assertThat(LearningRateFree.estimatedStepSizes(restored)).containsOnlyKeys("out_W", "out_b");
    }

    /** The committed trajectories move and their estimates change: a test ignoring the updater could not pass. */
    @Test
    void referenceTrajectoriesMoveAndTheEstimatesGrow() {
        for (LrFreeCases c : LrFreeCases.values()) {
            assertThat(LrFreeCases.relativeError(c.params(LrFreeCases.STEPS), c.params(0))).as("%s", c)
                    .isGreaterThan(0.01);
            for (int b = 0; b < c.blocks(); b++) {
                assertThat(c.stepSizes(LrFreeCases.STEPS)[b]).as("%s block %s", c, b)
                        .isGreaterThan(10 * c.stepSizes(2)[b]);
            }
        }
    }
}
