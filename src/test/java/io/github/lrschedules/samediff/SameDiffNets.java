package io.github.lrschedules.samediff;

import io.github.lrschedules.testing.TestData;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/** Small double-precision SameDiff graphs for the tests, with fixed initial weights. */
final class SameDiffNets {

    static final String[] TRAINABLE = {"w0", "b0", "w1", "b1"};
    /** Batches of {@link #data()}: 256 blobs in batches of 64 (SameDiff's per-step overhead keeps tests short). */
    static final int ITERATIONS_PER_EPOCH = 4;

    private SameDiffNets() {
    }

    /**
     * The MLP {@code 20 -> 16 (tanh) -> 3 (softmax)} for {@link TestData#blobs()}, softmax cross-entropy averaged
     * over the batch; output variable {@code "probabilities"}, loss {@code "loss"}.
     */
    static SameDiff mlp(IUpdater updater) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, TestData.FEATURES);
        SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, TestData.CLASSES);
        Nd4j.getRandom().setSeed(42);
        SDVariable w0 = sd.var("w0", Nd4j.randn(DataType.DOUBLE, TestData.FEATURES, 16).muli(0.2));
        SDVariable b0 = sd.var("b0", Nd4j.zeros(DataType.DOUBLE, 1, 16));
        SDVariable w1 = sd.var("w1", Nd4j.randn(DataType.DOUBLE, 16, TestData.CLASSES).muli(0.2));
        SDVariable b1 = sd.var("b1", Nd4j.zeros(DataType.DOUBLE, 1, TestData.CLASSES));
        SDVariable hidden = sd.math.tanh(in.mmul(w0).add(b0));
        SDVariable logits = hidden.mmul(w1).add(b1);
        sd.nn.softmax("probabilities", logits);
        sd.loss.softmaxCrossEntropy("loss", label, logits, null);
        sd.setTrainingConfig(TrainingConfig.builder().updater(updater).dataSetFeatureMapping("in")
                .dataSetLabelMapping("label").build());
        return sd;
    }

    /** A linear least-squares graph {@code 5 -> 3} (MSE, loss {@code "loss"}, output {@code "out"}). */
    static SameDiff linear(IUpdater updater) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, 5);
        SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, 3);
        Nd4j.getRandom().setSeed(7);
        SDVariable w = sd.var("w", Nd4j.randn(DataType.DOUBLE, 5, 3).muli(0.1));
        SDVariable b = sd.var("b", Nd4j.zeros(DataType.DOUBLE, 1, 3));
        SDVariable out = sd.identity("out", in.mmul(w).add(b));
        sd.loss.meanSquaredError("loss", label, out, null);
        sd.setTrainingConfig(TrainingConfig.builder().updater(updater).dataSetFeatureMapping("in")
                .dataSetLabelMapping("label").build());
        return sd;
    }

    /** 12 random examples for {@link #linear} in {@code batches} batches. */
    static DataSetIterator linearData(int batches) {
        Nd4j.getRandom().setSeed(11);
        org.nd4j.linalg.dataset.DataSet all = new org.nd4j.linalg.dataset.DataSet(
                Nd4j.randn(DataType.DOUBLE, 12, 5), Nd4j.randn(DataType.DOUBLE, 12, 3));
        return new ListDataSetIterator<>(all.asList(), 12 / batches);
    }

    /** {@link TestData#blobs()} in {@value #ITERATIONS_PER_EPOCH} batches. */
    static DataSetIterator data() {
        return new ListDataSetIterator<>(TestData.blobs(TestData.FEATURES, 12345L).asList(),
                TestData.EXAMPLES / ITERATIONS_PER_EPOCH);
    }

    /** The values of the trainable variables, copied. */
    static Map<String, INDArray> parameters(SameDiff sd) {
        Map<String, INDArray> values = new HashMap<>();
        for (String name : TRAINABLE) {
            values.put(name, sd.getVariable(name).getArr().dup());
        }
        return values;
    }

    /**
     * Measures the learning rate SGD applied at every iteration from the parameters' change: before the step it
     * computes the gradient on the step's batch in a second graph of the same structure ({@code probe}), after the
     * step it fits {@code before - after = lr * gradient} over all variables and checks the fit.
     */
    static final class AppliedRates extends BaseListener {
        private final SameDiff probe;
        private final List<double[]> rows;
        private Map<String, INDArray> before;
        private Map<String, INDArray> gradients;

        /** Rows {iteration, epoch, applied learning rate} go to {@code rows}. */
        AppliedRates(SameDiff probe, List<double[]> rows) {
            this.probe = probe;
            this.rows = rows;
        }

        @Override
        public boolean isActive(Operation operation) {
            return operation == Operation.TRAINING;
        }

        @Override
        public void iterationStart(SameDiff sd, At at, MultiDataSet data, long etlMs) {
            before = parameters(sd);
            for (String name : TRAINABLE) {
                probe.getVariable(name).getArr().assign(before.get(name));
            }
            Map<String, INDArray> placeholders = new HashMap<>();
            placeholders.put("in", data.getFeatures(0));
            placeholders.put("label", data.getLabels(0));
            gradients = probe.calculateGradients(placeholders, TRAINABLE);
        }

        @Override
        public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
            double dot = 0;
            double norm = 0;
            Map<String, INDArray> after = parameters(sd);
            for (String name : TRAINABLE) {
                INDArray delta = before.get(name).sub(after.get(name));
                dot += delta.mul(gradients.get(name)).sumNumber().doubleValue();
                norm += gradients.get(name).mul(gradients.get(name)).sumNumber().doubleValue();
            }
            double lr = dot / norm;
            double worst = 0;
            double scale = 0;
            for (String name : TRAINABLE) {
                INDArray delta = before.get(name).sub(after.get(name));
                worst = Math.max(worst, delta.sub(gradients.get(name).mul(lr)).amaxNumber().doubleValue());
                scale = Math.max(scale, delta.amaxNumber().doubleValue());
            }
            if (worst > 1e-9 * scale) {
                throw new AssertionError("iteration " + at.iteration() + ": the step is not lr * gradient (residual "
                        + worst + " of " + scale + ")");
            }
            rows.add(new double[] {at.iteration(), at.epoch(), lr});
        }
    }
}
