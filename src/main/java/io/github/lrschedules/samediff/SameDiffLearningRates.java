package io.github.lrschedules.samediff;

import io.github.lrschedules.internal.AtomicFiles;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Records the learning rate a SameDiff graph's updater applies at every training iteration: the SameDiff twin of
 * {@link io.github.lrschedules.record.LearningRateRecorder}. SameDiff trains every variable with one updater
 * configuration ({@code TrainingConfig.getUpdater()}), so there is one rate per iteration.
 *
 * <pre>
 * SameDiffLearningRates rates = new SameDiffLearningRates();
 * sd.addListeners(rates);
 * sd.fit(trainIterator, 3);
 * rates.writeCsv(Paths.get("lr.csv"));             // iteration,epoch,learningRate
 * </pre>
 *
 * <p>The rate of iteration {@code i} is read in {@code iterationDone} as {@code getLearningRate(i, epoch)} of the
 * updater configuration at that moment: the value the updater used for that step, with a schedule installed by
 * {@link SameDiffPlateau} included. NaN for an updater without a learning rate. Iteration and epoch are SameDiff's
 * counters ({@code fit(DataSet)} never advances the epoch). Thread-safe; records allocate only when the arrays grow.
 */
public final class SameDiffLearningRates extends BaseListener {

    private static final int INITIAL_CAPACITY = 256;

    private int size;
    private int[] iterations = new int[INITIAL_CAPACITY];
    private int[] epochs = new int[INITIAL_CAPACITY];
    private double[] learningRates = new double[INITIAL_CAPACITY];

    /** Active during training only. */
    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    @Override
    public synchronized void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
        if (size == iterations.length) {
            int capacity = 2 * size;
            iterations = Arrays.copyOf(iterations, capacity);
            epochs = Arrays.copyOf(epochs, capacity);
            learningRates = Arrays.copyOf(learningRates, capacity);
        }
        IUpdater updater = SameDiffGraphs.trainingConfig(sd).getUpdater();
        iterations[size] = at.iteration();
        epochs[size] = at.epoch();
        learningRates[size] = updater != null && updater.hasLearningRate()
                ? updater.getLearningRate(at.iteration(), at.epoch()) : Double.NaN;
        size++;
    }

    /** Number of recorded iterations. */
    public synchronized int size() {
        return size;
    }

    /** The iteration count of each recorded step (a copy). */
    public synchronized int[] iterations() {
        return Arrays.copyOf(iterations, size);
    }

    /** The epoch count of each recorded step (a copy). */
    public synchronized int[] epochs() {
        return Arrays.copyOf(epochs, size);
    }

    /** The learning rate applied at each recorded step (a copy). */
    public synchronized double[] learningRates() {
        return Arrays.copyOf(learningRates, size);
    }

    /** Forgets everything recorded. */
    public synchronized void clear() {
        size = 0;
    }

    /**
     * Writes {@code iteration,epoch,learningRate} with one row per recorded iteration. The file is written beside its
     * destination first and then moved, so a failed write never leaves a half-written file.
     */
    public void writeCsv(Path file) throws IOException {
        AtomicFiles.writeText(file, this::writeCsv);
    }

    /** Writes the CSV of {@link #writeCsv(Path)} to {@code out}. */
    public synchronized void writeCsv(Writer out) throws IOException {
        out.write("iteration,epoch,learningRate\n");
        for (int i = 0; i < size; i++) {
            out.write(Integer.toString(iterations[i]));
            out.write(',');
            out.write(Integer.toString(epochs[i]));
            out.write(',');
            out.write(Double.toString(learningRates[i]));
            out.write('\n');
        }
    }

    @Override
    public synchronized String toString() {
        return "SameDiffLearningRates{iterations=" + size + "}";
    }
}
