package io.github.lrschedules.samediff;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * What the SameDiff listeners need to know of a graph: its training configuration and updater, and the loss and
 * accuracy they compute themselves (M2.1 reports a training loss of 0.0: {@code Loss}, {@code LossCurve},
 * {@code History}; DL4J issues 9684 and 9853).
 */
final class SameDiffGraphs {

    private SameDiffGraphs() {
    }

    /** The graph's training configuration, or an exception saying to set one. */
    static TrainingConfig trainingConfig(SameDiff sd) {
        if (sd == null) {
            throw new IllegalArgumentException("sd must not be null");
        }
        TrainingConfig config = sd.getTrainingConfig();
        if (config == null) {
            throw new IllegalStateException("the SameDiff graph has no TrainingConfig: call sd.setTrainingConfig(...)"
                    + " before training");
        }
        return config;
    }

    /** The updater configuration every variable of the graph is trained with; it must have a learning rate. */
    static IUpdater learningRateUpdater(SameDiff sd) {
        IUpdater updater = trainingConfig(sd).getUpdater();
        if (updater == null || !updater.hasLearningRate()) {
            throw new IllegalStateException("the SameDiff graph's updater (" + updater + ") has no learning rate");
        }
        return updater;
    }

    /**
     * The loss of one batch from a graph's {@code outputs}: the sum of the loss variables' values, each summed if it
     * is not a scalar, as SameDiff's training adds them up. Regularization is not included.
     */
    static double loss(Map<String, INDArray> outputs, List<String> lossVariables) {
        double sum = 0;
        for (String name : lossVariables) {
            INDArray value = outputs.get(name);
            sum += value.isScalar() ? value.getDouble(0) : value.sumNumber().doubleValue();
        }
        return sum;
    }

    /**
     * The training configuration's loss on {@code data}, batch values weighted by the batch's number of examples:
     * the mean over examples for a loss that averages over the batch (SameDiff's default reduction). Inference mode
     * (no dropout).
     *
     * @throws IllegalStateException if the graph has no loss variable or {@code data} gives no examples
     */
    static double meanLoss(SameDiff sd, DataSetIterator data) {
        trainingConfig(sd);
        List<String> lossVariables = sd.getLossVariables();
        if (lossVariables == null || lossVariables.isEmpty()) {
            throw new IllegalStateException("the SameDiff graph has no loss variable: create the loss with sd.loss()"
                    + " or call sd.setLossVariables(...)");
        }
        String[] names = lossVariables.toArray(new String[0]);
        if (data.resetSupported()) {
            data.reset();
        }
        double sum = 0;
        long examples = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            int n = batch.numExamples();
            sum += loss(sd.output(batch, names), lossVariables) * n;
            examples += n;
        }
        if (data.resetSupported()) {
            data.reset();
        }
        if (examples == 0) {
            throw new IllegalStateException("the validation iterator gave no examples");
        }
        return sum / examples;
    }

    /** DL4J's classification accuracy of {@code outputVariable} on {@code data} (labels: the DataSets' labels). */
    static double accuracy(SameDiff sd, DataSetIterator data, String outputVariable) {
        trainingConfig(sd);
        if (data.resetSupported()) {
            data.reset();
        }
        Evaluation evaluation = new Evaluation();
        sd.evaluate(data, outputVariable, evaluation);
        if (data.resetSupported()) {
            data.reset();
        }
        double accuracy = evaluation.accuracy();
        if (Double.isNaN(accuracy)) {
            throw new IllegalStateException("the iterator gave no examples to evaluate " + outputVariable + " on");
        }
        return accuracy;
    }
}
