package io.github.lrschedules.schedulefree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.weights.SameDiffEvaluationWeights;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Schedule-free SGD and AdamW on a SameDiff least-squares graph with a 2-D weight matrix ({@code W [5, 3]}, gradient
 * handed in that shape) against the trajectories of {@code scripts/schedulefree_reference.py}: y and the evaluation
 * weights x after each of 40 full-batch steps, relative error at most 1e-9, the same bound as for the networks.
 */
class SameDiffScheduleFreeTest {

    private static final double TOLERANCE = 1e-9;

    @BeforeAll
    static void precision() {
        ReferenceCases.doublePrecision();
    }

    /** {@code out = in W + b}, DL4J's MSE (mean of the squared errors over examples and outputs). */
    static SameDiff leastSquares(IUpdater updater, double[] initial) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, ReferenceCases.N_IN);
        SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, ReferenceCases.N_OUT);
        int nW = ReferenceCases.N_IN * ReferenceCases.N_OUT;
        SDVariable w = sd.var("W", Nd4j.create(Arrays.copyOfRange(initial, 0, nW),
                new long[] {ReferenceCases.N_IN, ReferenceCases.N_OUT}, 'c'));
        SDVariable b = sd.var("b", Nd4j.create(Arrays.copyOfRange(initial, nW, initial.length),
                new long[] {1, ReferenceCases.N_OUT}, 'c'));
        SDVariable out = in.mmul(w).add(b);
        sd.loss.meanSquaredError("loss", label, out, null);
        sd.setTrainingConfig(TrainingConfig.builder().updater(updater).dataSetFeatureMapping("in")
                .dataSetLabelMapping("label").build());
        return sd;
    }

    static SameDiff leastSquares(ReferenceCases c) {
        SameDiff sd = leastSquares(c.first.clone(), c.y(0));
        if (c.needsAttach()) {
            ScheduleFree.attach(sd);
        }
        return sd;
    }

    /** W row by row, then b: the script's order. */
    static double[] parameters(SameDiff sd) {
        INDArray w = sd.getVariable("W").getArr();
        INDArray b = sd.getVariable("b").getArr();
        double[] values = new double[(int) (w.length() + b.length())];
        int k = 0;
        for (int r = 0; r < w.rows(); r++) {
            for (int col = 0; col < w.columns(); col++) {
                values[k++] = w.getDouble(r, col);
            }
        }
        for (int i = 0; i < b.length(); i++) {
            values[k++] = b.getDouble(i);
        }
        return values;
    }

    private static double assertFollowsReference(ReferenceCases c, SameDiff sd, DataSet data, int from, int to) {
        double worst = 0;
        for (int step = from + 1; step <= to; step++) {
            sd.fit(data);
            double errorY = ReferenceCases.relativeError(parameters(sd), c.y(step));
            assertThat(errorY).as("%s: y after step %s", c, step).isLessThanOrEqualTo(TOLERANCE);
            try (SameDiffEvaluationWeights ignored = ScheduleFree.evaluationWeights(sd)) {
                double errorX = ReferenceCases.relativeError(parameters(sd), c.x(step));
                assertThat(errorX).as("%s: x after step %s", c, step).isLessThanOrEqualTo(TOLERANCE);
                worst = Math.max(worst, Math.max(errorX, errorY));
            }
        }
        return worst;
    }

    @ParameterizedTest
    @EnumSource(value = ReferenceCases.class, names = {"SGD", "SGD_SCHEDULE", "ADAMW", "ADAMW_WARMUP_DECAY"})
    void sameDiffGraphFollowsTheReference(ReferenceCases c) {
        SameDiff sd = leastSquares(c);
        List<long[]> gradientShapes = new ArrayList<>();
        sd.addListeners(new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return operation == Operation.TRAINING;
            }

            @Override
            public void preUpdate(SameDiff graph, At at, Variable v, INDArray update) {
                if (v.getName().equals("W")) {
                    gradientShapes.add(update.shape());
                }
            }
        });
        double worst = assertFollowsReference(c, sd, ReferenceCases.data(), 0, ReferenceCases.STEPS);
        System.out.printf("SameDiff %s: largest relative error %.3g over %d steps%n", c, worst, ReferenceCases.STEPS);
        assertThat(gradientShapes).hasSize(ReferenceCases.STEPS)
                .allSatisfy(shape -> assertThat(shape).containsExactly(ReferenceCases.N_IN, ReferenceCases.N_OUT));
    }

    @ParameterizedTest
    @EnumSource(value = ReferenceCases.class, names = {"SGD_SCHEDULE", "ADAMW_WARMUP_DECAY"})
    void savedAfter20StepsAndLoadedContinuesTheReference(ReferenceCases c, @TempDir Path dir) {
        DataSet data = ReferenceCases.data();
        SameDiff first = leastSquares(c);
        assertFollowsReference(c, first, data, 0, 20);
        File file = dir.resolve("graph.sd").toFile();
        first.save(file, true);
        SameDiff loaded = SameDiff.load(file, true);
        // Listeners are not saved; attach is harmless here (the loaded state is already absolute).
        ScheduleFree.attach(loaded);
        assertThat(loaded.getTrainingConfig().getIterationCount()).isEqualTo(20);
        assertFollowsReference(c, loaded, data, 20, ReferenceCases.STEPS);
    }

    @Test
    void decoupledWeightDecayWithoutAttachFailsAtTheFirstStep() {
        ReferenceCases c = ReferenceCases.ADAMW_WARMUP_DECAY;
        SameDiff sd = leastSquares(c.first.clone(), c.y(0));
        assertThatThrownBy(() -> sd.fit(ReferenceCases.data())).hasStackTraceContaining("ScheduleFree.attach");
    }

    @Test
    void attachIsIdempotent() {
        SameDiff sd = leastSquares(ReferenceCases.ADAMW_WARMUP_DECAY);
        assertThat(ScheduleFree.isAttached(sd)).isTrue();
        int listeners = sd.getListeners().size();
        ScheduleFree.attach(sd);
        assertThat(sd.getListeners()).hasSize(listeners);
    }

    @Test
    void evaluationWeightsAreYBeforeTheFirstStepAndCloseRestoresYBitForBit() {
        ReferenceCases c = ReferenceCases.SGD;
        SameDiff sd = leastSquares(c);
        try (SameDiffEvaluationWeights ignored = ScheduleFree.evaluationWeights(sd)) {
            assertThat(parameters(sd)).containsExactly(c.y(0));
        }
        for (int i = 0; i < 5; i++) {
            sd.fit(ReferenceCases.data());
        }
        double[] y = parameters(sd);
        SameDiffEvaluationWeights at = ScheduleFree.evaluationWeights(sd);
        assertThat(parameters(sd)).isNotEqualTo(y);
        assertThatThrownBy(() -> ScheduleFree.evaluationWeights(sd)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already open");
        at.close();
        at.close();
        assertThat(parameters(sd)).containsExactly(y);
        assertThat(SameDiffEvaluationWeights.isOpen(sd)).isFalse();
    }

    @Test
    void aGradientThatIsNotCContiguousIsUpdatedThroughACopy() {
        SgdScheduleFree config = new SgdScheduleFree(0.1, 0.9, 0);
        INDArray cGradient = Nd4j.create(new double[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'c');
        INDArray fGradient = cGradient.dup('f');
        INDArray cView = Nd4j.create(DataType.DOUBLE, 1, config.stateSize(6));
        INDArray fView = Nd4j.create(DataType.DOUBLE, 1, config.stateSize(6));
        config.instantiate(cView, true).applyUpdater(cGradient, 0, 0);
        config.instantiate(fView, true).applyUpdater(fGradient, 0, 0);
        assertThat(fGradient.ordering()).isEqualTo('f');
        assertThat(fGradient).isEqualTo(cGradient);
        assertThat(fView).isEqualTo(cView);
    }
}
