package io.github.lrschedules.record;

import io.github.lrschedules.lrfree.LearningRateFree;
import java.util.Map;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.github.lrschedules.internal.Networks;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Records, for every training iteration, the learning rate that each parameter's updater applies and the score,
 * in primitive arrays.
 *
 * <p>Parameters are named as in {@code model.paramTable()} and in DL4J's {@code StatsListener}: {@code "0_W"},
 * {@code "0_b"} for a {@code MultiLayerNetwork}, {@code "<layerName>_W"} for a {@code ComputationGraph}. Only
 * parameters whose updater has a learning rate are recorded (not frozen layers, not AdaDelta). The learning rate of
 * iteration {@code i} is read in {@code iterationDone(model, i, epoch)} from the updater configuration each
 * parameter is trained with at that moment, so a schedule installed by another listener (the plateau listener's
 * {@code ScaledSchedule}) is what gets recorded. For the learning-rate-free updaters ({@code Prodigy},
 * {@code DAdaptAdam}, {@code Dog}) the rate recorded is the one the step applied, the estimate {@code d} (or DoG's
 * {@code eta}) times the schedule, read from the updater state.
 *
 * <p>The rows are kept in a {@link LearningRateTable}: parameters that share a rate share a column, so a network
 * whose parameters all follow one schedule costs 24 bytes per iteration however many parameter arrays it has.
 * {@link #streamTo(Path)} writes the rows to a CSV as they come instead.
 *
 * <p>Safe to share between threads (ParallelWrapper shares listeners across workers). Recording allocates only when
 * a storage chunk of 4,096 rows fills up.
 */
public final class LearningRateRecorder extends BaseTrainingListener implements LearningRateRows {

    private final LearningRateTable table = new LearningRateTable();
    private IUpdater[] updaters = new IUpdater[0];
    private Layer[] layers = new Layer[0];
    private String[] paramNames = new String[0];
    private double[] rates = new double[0];
    private Model boundModel;
    private boolean learningRateFree;

    @Override
    public synchronized void iterationDone(Model model, int iteration, int epoch) {
        if (model != boundModel) {
            bind(model);
        }
        for (int p = 0; p < paramNames.length; p++) {
            IUpdater updater = Networks.updater(layers[p], paramNames[p]);
            rates[p] = updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : Double.NaN;
        }
        if (learningRateFree) {
            // the rate a learning-rate-free updater applied is its estimate times the schedule: read it from its state
            Map<String, Double> effective = LearningRateFree.effectiveLearningRatesByParameter(model);
            List<String> keys = table.parameterKeys();
            for (int p = 0; p < paramNames.length; p++) {
                Double rate = effective.get(keys.get(p));
                if (rate != null) {
                    rates[p] = rate;
                }
            }
        }
        table.append(iteration, epoch, model.score(), rates);
    }

    private void bind(Model model) {
        learningRateFree = false;
        List<String> newKeys = new ArrayList<>();
        List<Layer> newLayers = new ArrayList<>();
        List<String> newParams = new ArrayList<>();
        for (Layer layer : Networks.layers(model)) {
            for (String param : layer.paramTable(false).keySet()) {
                IUpdater updater = Networks.updater(layer, param);
                if (updater != null && updater.hasLearningRate()) {
                    learningRateFree |= LearningRateFree.isLearningRateFree(updater);
                    newKeys.add(LearningRateTable.key(model, layer, param));
                    newLayers.add(layer);
                    newParams.add(param);
                }
            }
        }
        if (table.size() > 0 && !newKeys.equals(table.parameterKeys())) {
            throw new IllegalStateException("LearningRateRecorder recorded parameters " + table.parameterKeys()
                    + " and cannot continue on a model with parameters " + newKeys + "; use a new recorder");
        }
        table.keys(newKeys);
        layers = newLayers.toArray(new Layer[0]);
        paramNames = newParams.toArray(new String[0]);
        rates = new double[paramNames.length];
        boundModel = model;
    }

    /** Number of recorded iterations. */
    @Override
    public synchronized int size() {
        return table.size();
    }

    /** Recorded parameter names, in the order of the CSV columns. */
    @Override
    public synchronized List<String> parameterKeys() {
        return table.parameterKeys();
    }

    /** Iteration numbers as DL4J counted them (a copy). */
    @Override
    public synchronized int[] iterations() {
        return table.iterations();
    }

    /** Epoch numbers, one per recorded iteration (a copy). */
    @Override
    public synchronized int[] epochs() {
        return table.epochs();
    }

    /** Scores (loss of the mini-batch), one per recorded iteration (a copy). */
    @Override
    public synchronized double[] scores() {
        return table.scores();
    }

    /**
     * Learning rates of one parameter, one per recorded iteration (a copy).
     *
     * @throws IllegalArgumentException if {@code parameterKey} was not recorded
     */
    @Override
    public synchronized double[] learningRates(String parameterKey) {
        return table.learningRates(parameterKey);
    }

    @Override
    public synchronized int iteration(int row) {
        return table.iteration(row);
    }

    @Override
    public synchronized double score(int row) {
        return table.score(row);
    }

    @Override
    public synchronized double learningRate(int p, int row) {
        return table.learningRate(p, row);
    }

    /** Number of distinct rate columns the recorder stores (see {@link LearningRateTable}). */
    public synchronized int columnCount() {
        return table.columnCount();
    }

    /**
     * From now on writes each recorded row to {@code file} (the CSV of {@link #writeCsv(Path)}) and keeps none in
     * memory: for runs too long to hold. The array accessors then refuse; {@link #close()} ends the file.
     *
     * @throws IOException if the file cannot be written
     */
    public synchronized void streamTo(Path file) throws IOException {
        table.streamTo(file);
    }

    /** Flushes and closes the file of {@link #streamTo(Path)} (no-op when not streaming). */
    public synchronized void close() throws IOException {
        table.close();
    }

    /** Flushes streamed rows at the end of every epoch, so that the file holds every finished epoch. */
    @Override
    public synchronized void onEpochEnd(Model model) {
        try {
            table.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets everything recorded, so that the recorder can follow another model. */
    public synchronized void clear() {
        table.clear();
        boundModel = null;
    }

    /**
     * Writes {@code iteration,epoch,score,<param>...} with one row per recorded iteration. The file is written
     * beside its destination first and then moved, so a failed write never leaves a half-written file.
     */
    public synchronized void writeCsv(Path file) throws IOException {
        table.writeCsv(file);
    }

    /** Writes the CSV of {@link #writeCsv(Path)} to {@code out}. */
    public synchronized void writeCsv(Writer out) throws IOException {
        table.writeCsv(out);
    }
}
