package io.github.lrschedules.record;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import io.github.lrschedules.internal.AtomicFiles;
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
 * {@code ScaledSchedule}) is what gets recorded.
 *
 * <p>Safe to share between threads (ParallelWrapper shares listeners across workers). Recording allocates only when
 * the arrays grow.
 */
public final class LearningRateRecorder extends BaseTrainingListener implements LearningRateRows {

    private static final int INITIAL_CAPACITY = 256;

    private List<String> keys = Collections.emptyList();
    private org.deeplearning4j.nn.conf.layers.Layer[] layerConfs = new org.deeplearning4j.nn.conf.layers.Layer[0];
    private Layer[] layers = new Layer[0];
    private String[] paramNames = new String[0];
    private Model boundModel;

    private int size;
    private int[] iterations = new int[INITIAL_CAPACITY];
    private int[] epochs = new int[INITIAL_CAPACITY];
    private double[] scores = new double[INITIAL_CAPACITY];
    private double[][] learningRates = new double[0][];

    @Override
    public synchronized void iterationDone(Model model, int iteration, int epoch) {
        if (model != boundModel) {
            bind(model);
        }
        if (size == iterations.length) {
            grow();
        }
        iterations[size] = iteration;
        epochs[size] = epoch;
        scores[size] = model.score();
        for (int p = 0; p < paramNames.length; p++) {
            IUpdater updater = Networks.updater(layers[p], paramNames[p]);
            learningRates[p][size] = updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : Double.NaN;
        }
        size++;
    }

    private void bind(Model model) {
        Layer[] modelLayers = Networks.layers(model);
        boolean graph = model instanceof ComputationGraph;
        List<String> newKeys = new ArrayList<>();
        List<Layer> newLayers = new ArrayList<>();
        List<String> newParams = new ArrayList<>();
        for (Layer layer : modelLayers) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            for (String param : layer.paramTable(false).keySet()) {
                IUpdater updater = Networks.updater(layer, param);
                if (updater != null && updater.hasLearningRate()) {
                    String prefix = graph ? conf.getLayerName() : String.valueOf(layer.getIndex());
                    newKeys.add(prefix + "_" + param);
                    newLayers.add(layer);
                    newParams.add(param);
                }
            }
        }
        if (size > 0 && !newKeys.equals(keys)) {
            throw new IllegalStateException("LearningRateRecorder recorded parameters " + keys
                    + " and cannot continue on a model with parameters " + newKeys + "; use a new recorder");
        }
        if (size == 0) {
            keys = Collections.unmodifiableList(newKeys);
            learningRates = new double[newKeys.size()][iterations.length];
        }
        layers = newLayers.toArray(new Layer[0]);
        paramNames = newParams.toArray(new String[0]);
        boundModel = model;
    }

    private void grow() {
        int capacity = iterations.length * 2;
        iterations = Arrays.copyOf(iterations, capacity);
        epochs = Arrays.copyOf(epochs, capacity);
        scores = Arrays.copyOf(scores, capacity);
        for (int p = 0; p < learningRates.length; p++) {
            learningRates[p] = Arrays.copyOf(learningRates[p], capacity);
        }
    }

    /** Number of recorded iterations. */
    @Override
    public synchronized int size() {
        return size;
    }

    /** Recorded parameter names, in the order of the CSV columns. */
    @Override
    public synchronized List<String> parameterKeys() {
        return keys;
    }

    /** Iteration numbers as DL4J counted them (a copy). */
    @Override
    public synchronized int[] iterations() {
        return Arrays.copyOf(iterations, size);
    }

    /** Epoch numbers, one per recorded iteration (a copy). */
    @Override
    public synchronized int[] epochs() {
        return Arrays.copyOf(epochs, size);
    }

    /** Scores (loss of the mini-batch), one per recorded iteration (a copy). */
    @Override
    public synchronized double[] scores() {
        return Arrays.copyOf(scores, size);
    }

    /**
     * Learning rates of one parameter, one per recorded iteration (a copy).
     *
     * @throws IllegalArgumentException if {@code parameterKey} was not recorded
     */
    @Override
    public synchronized double[] learningRates(String parameterKey) {
        int p = keys.indexOf(parameterKey);
        if (p < 0) {
            throw new IllegalArgumentException("parameterKey (" + parameterKey + ") was not recorded; recorded: " + keys);
        }
        return Arrays.copyOf(learningRates[p], size);
    }

    /** Forgets everything recorded, so that the recorder can follow another model. */
    public synchronized void clear() {
        size = 0;
        keys = Collections.emptyList();
        boundModel = null;
    }

    /**
     * Writes {@code iteration,epoch,score,<param>...} with one row per recorded iteration. The file is written
     * beside its destination first and then moved, so a failed write never leaves a half-written file.
     */
    public void writeCsv(Path file) throws IOException {
        AtomicFiles.writeText(file, this::writeCsv);
    }

    /** Writes the CSV of {@link #writeCsv(Path)} to {@code out}. */
    public synchronized void writeCsv(Writer out) throws IOException {
        LearningRateCsv.write(out, keys, size, iterations, epochs, scores, learningRates);
    }
}
