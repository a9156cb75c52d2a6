package io.github.lrschedules.schedulefree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.nd4j.linalg.dataset.DataSet;

/**
 * DL4J's schedule-free SGD and AdamW against the trajectories of {@code scripts/schedulefree_reference.py} (PyTorch
 * 1.13, float64): the training parameters y and the evaluation weights x after each of 40 full-batch steps, relative
 * error at most 1e-9, on real MultiLayerNetworks and ComputationGraphs.
 */
class ScheduleFreeReferenceTest {

    private static final double TOLERANCE = 1e-9;

    @BeforeAll
    static void precision() {
        ReferenceCases.doublePrecision();
    }

    private static void assertFollowsReference(ReferenceCases c, Model net, DataSet data, int fromStep, int toStep) {
        double worst = 0;
        for (int step = fromStep + 1; step <= toStep; step++) {
            fit(net, data);
            double errorY = ReferenceCases.relativeError(c.parameters(net), c.y(step));
            assertThat(errorY).as("%s: y after step %s", c, step).isLessThanOrEqualTo(TOLERANCE);
            try (ScheduleFree.EvaluationWeights ignored = ScheduleFree.evaluationWeights(net)) {
                double errorX = ReferenceCases.relativeError(c.parameters(net), c.x(step));
                assertThat(errorX).as("%s: x after step %s", c, step).isLessThanOrEqualTo(TOLERANCE);
                worst = Math.max(worst, Math.max(errorX, errorY));
            }
        }
        System.out.printf("%s %s steps %d-%d: largest relative error %.3g%n", c, net.getClass().getSimpleName(),
                fromStep + 1, toStep, worst);
    }

    private static void fit(Model net, DataSet data) {
        if (net instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) net).fit(data);
        } else {
            ((ComputationGraph) net).fit(data);
        }
    }

    @ParameterizedTest
    @EnumSource(ReferenceCases.class)
    void multiLayerNetworkFollowsTheReference(ReferenceCases c) {
        MultiLayerNetwork net = c.network();
        assertThat(c.parameters(net)).containsExactly(c.y(0));
        assertFollowsReference(c, net, ReferenceCases.data(), 0, ReferenceCases.STEPS);
    }

    @ParameterizedTest
    @EnumSource(value = ReferenceCases.class, names = {"TWO_BLOCKS", "ADAMW_WARMUP_DECAY", "SGD_SCHEDULE"})
    void computationGraphFollowsTheReference(ReferenceCases c) {
        ComputationGraph net = c.graph();
        assertFollowsReference(c, net, ReferenceCases.data(), 0, ReferenceCases.STEPS);
    }

    /** The reference moves: a test that ignored the updater (or ran plain SGD) could not pass. */
    @Test
    void referenceTrajectoriesMoveAndDifferFromPlainAveraging() {
        for (ReferenceCases c : ReferenceCases.values()) {
            assertThat(ReferenceCases.relativeError(c.y(ReferenceCases.STEPS), c.y(0))).as("%s", c)
                    .isGreaterThan(0.05);
            assertThat(ReferenceCases.relativeError(c.x(ReferenceCases.STEPS), c.y(ReferenceCases.STEPS)))
                    .as("%s: x differs from y", c).isGreaterThan(1e-4);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ReferenceCases.class, names = {"TWO_BLOCKS", "ADAMW_WARMUP_DECAY", "SGD_SCHEDULE",
            "SGD_WARMUP_L2"})
    void savedAfter20StepsAndRestoredContinuesTheSameTrajectory(ReferenceCases c, @TempDir Path dir)
            throws IOException {
        DataSet data = ReferenceCases.data();
        MultiLayerNetwork uninterrupted = c.network();
        MultiLayerNetwork first = c.network();
        for (int i = 0; i < 20; i++) {
            uninterrupted.fit(data);
            first.fit(data);
        }
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(first, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(first.getLayerWiseConfigurations());
        for (int step = 21; step <= ReferenceCases.STEPS; step++) {
            uninterrupted.fit(data);
            restored.fit(data);
            assertThat(c.parameters(restored)).as("y after step %s", step)
                    .containsExactly(c.parameters(uninterrupted));
            try (ScheduleFree.EvaluationWeights a = ScheduleFree.evaluationWeights(restored);
                 ScheduleFree.EvaluationWeights b = ScheduleFree.evaluationWeights(uninterrupted)) {
                assertThat(c.parameters(restored)).as("x after step %s", step)
                        .containsExactly(c.parameters(uninterrupted));
                assertThat(ReferenceCases.relativeError(c.parameters(restored), c.x(step)))
                        .isLessThanOrEqualTo(TOLERANCE);
            }
        }
        assertThat(restored.getUpdater().getStateViewArray())
                .isEqualTo(uninterrupted.getUpdater().getStateViewArray());
    }

    @Test
    void restoredGraphContinuesTheSameTrajectory(@TempDir Path dir) throws IOException {
        ReferenceCases c = ReferenceCases.TWO_BLOCKS;
        DataSet data = ReferenceCases.data();
        ComputationGraph first = c.graph();
        assertFollowsReference(c, first, data, 0, 20);
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(first, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertFollowsReference(c, restored, data, 20, ReferenceCases.STEPS);
    }

    /** Without the updater state the continued run leaves the reference: the check above can tell. */
    @Test
    void restoringWithoutTheUpdaterStateLeavesTheReference(@TempDir Path dir) throws IOException {
        ReferenceCases c = ReferenceCases.ADAMW;
        DataSet data = ReferenceCases.data();
        MultiLayerNetwork first = c.network();
        for (int i = 0; i < 20; i++) {
            first.fit(data);
        }
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(first, file, false);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, false);
        restored.fit(data);
        assertThat(ReferenceCases.relativeError(c.parameters(restored), c.y(21))).isGreaterThan(1e-4);
    }

    @ParameterizedTest
    @EnumSource(ReferenceCases.class)
    void openingEvaluationWeightsAfterEveryStepDoesNotChangeTraining(ReferenceCases c) {
        DataSet data = ReferenceCases.data();
        MultiLayerNetwork plain = c.network();
        MultiLayerNetwork looked = c.network();
        for (int step = 1; step <= ReferenceCases.STEPS; step++) {
            plain.fit(data);
            looked.fit(data);
            double[] y = looked.params().dup().data().asDouble();
            double[] state = looked.getUpdater().getStateViewArray().dup().data().asDouble();
            try (ScheduleFree.EvaluationWeights ignored = ScheduleFree.evaluationWeights(looked)) {
                if (step >= 2) {
                    assertThat(looked.params().data().asDouble()).as("x differs from y").isNotEqualTo(y);
                }
                looked.output(data.getFeatures());
            }
            assertThat(looked.params().data().asDouble()).as("y back, bit for bit").containsExactly(y);
            assertThat(looked.getUpdater().getStateViewArray().data().asDouble()).containsExactly(state);
            assertThat(looked.params().data().asDouble()).containsExactly(plain.params().data().asDouble());
        }
    }

    @Test
    void decoupledWeightDecayWithoutAttachFailsAtTheFirstStep() {
        ReferenceCases c = ReferenceCases.ADAMW_WARMUP_DECAY;
        MultiLayerNetwork net = c.network();
        net.setListeners();
        assertThat(ScheduleFree.isAttached(net)).isFalse();
        double[] before = c.parameters(net);
        assertThatThrownBy(() -> net.fit(ReferenceCases.data()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("weightDecay 0.1")
                .hasMessageContaining("call ScheduleFree.attach(net)");
        assertThat(c.parameters(net)).containsExactly(before);
    }

    @Test
    void attachIsIdempotentAndHarmlessWithoutDecay() {
        ReferenceCases c = ReferenceCases.SGD_WARMUP_L2;
        MultiLayerNetwork net = c.network();
        ScheduleFree.attach(net);
        ScheduleFree.attach(net);
        // its own listener and the learning-rate-free one (LearningRateFree.attach), once each
        assertThat(net.getListeners()).hasSize(2).hasAtLeastOneElementOfType(ScheduleFree.AbsoluteStateListener.class);
        assertFollowsReference(c, net, ReferenceCases.data(), 0, ReferenceCases.STEPS);
    }

    @Test
    void stateIsTwoOrThreeNumbersPerParameterPlusFourPerArray() {
        MultiLayerNetwork sgd = ReferenceCases.SGD.network();
        MultiLayerNetwork adamw = ReferenceCases.ADAMW.network();
        long n = sgd.numParams();
        assertThat(n).isEqualTo(18);
        assertThat(sgd.getUpdater().getStateViewArray().length()).isEqualTo(2 * n + 2 * 4);
        assertThat(adamw.getUpdater().getStateViewArray().length()).isEqualTo(3 * n + 2 * 4);
        MultiLayerNetwork two = ReferenceCases.TWO_BLOCKS.network();
        assertThat(two.getUpdater().getStateViewArray().length()).isEqualTo(2 * (20 + 4) + 4 * 2 + 3 * (12 + 3) + 4 * 2);
    }

    @Test
    void nestedEvaluationWeightsAreRefused() {
        MultiLayerNetwork net = ReferenceCases.SGD.network();
        net.fit(ReferenceCases.data());
        try (ScheduleFree.EvaluationWeights ignored = ScheduleFree.evaluationWeights(net)) {
            assertThatThrownBy(() -> ScheduleFree.evaluationWeights(net))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already open");
        }
        ScheduleFree.evaluationWeights(net).close();
    }

    @Test
    void beforeTheFirstStepTheEvaluationWeightsAreY() {
        ReferenceCases c = ReferenceCases.TWO_BLOCKS;
        ComputationGraph net = c.graph();
        try (ScheduleFree.EvaluationWeights ignored = ScheduleFree.evaluationWeights(net)) {
            assertThat(c.parameters(net)).containsExactly(c.y(0));
        }
        assertFollowsReference(c, net, ReferenceCases.data(), 0, 5);
    }
}
