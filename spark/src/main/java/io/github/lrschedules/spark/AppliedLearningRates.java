package io.github.lrschedules.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.github.lrschedules.record.LearningRateCsv;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.AtomicFiles;
import io.github.lrschedules.internal.Networks;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsInitializationReport;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsReport;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The learning rates the Spark workers applied, one row per ITERATION step, reconstructed on the driver.
 *
 * <p>Under parameter averaging every worker of a {@code fit(rdd)} starts at the driver's iteration count {@code i0}
 * and epoch count {@code e}, and the driver's count is {@code i1} after the fit; the workers' mini-batches of the
 * fit ran at the steps {@code i0 .. i1-1}, all in epoch {@code e}, with the updater configurations that were
 * broadcast (the driver's, unchanged during the fit). So the learning rate of parameter {@code p} at step {@code i}
 * is {@code updater(p).getLearningRate(i, e)}, read from the driver network before anything changes it (the plateau
 * listener decides after the row is recorded). The {@code score} column holds Spark's training score of that fit
 * ({@code getScore()}: the mean of the workers' last mini-batch loss), the same on every row of one fit.
 *
 * <p>The CSV is the one {@code LearningRateRecorder} writes ({@code iteration,epoch,score,<param>...}, parameters
 * named like {@code StatsListener}: {@code 0_W}, {@code 0_b}, or {@code <layerName>_W} in a ComputationGraph), so the
 * same scripts read local and Spark runs. {@link #writeTo(StatsStorageRouter, String)} writes the rows as
 * {@code StatsListener} reports, which the Schedules page of the DL4J UI shows next to local runs.
 *
 * <p>Serializable: the training loop keeps it in its checkpoint. Not thread-safe (the driver loop owns it).
 */
public final class AppliedLearningRates implements LearningRateRows, Serializable {

    private static final long serialVersionUID = 1L;

    private List<String> keys = Collections.emptyList();
    private int size;
    private int[] iterations = new int[64];
    private int[] epochs = new int[64];
    private double[] scores = new double[64];
    private double[][] learningRates = new double[0][];

    /**
     * Appends the rows of one fit: steps {@code fromIteration .. toIteration-1} in {@code epoch}, with the learning
     * rates {@code model}'s updaters give at those steps.
     *
     * @throws IllegalArgumentException if {@code toIteration < fromIteration}
     * @throws IllegalStateException if {@code model} has other parameters than the rows recorded so far
     */
    public void recordFit(Model model, int fromIteration, int toIteration, int epoch, double score) {
        Args.nonNegative("fromIteration", fromIteration);
        if (toIteration < fromIteration) {
            throw new IllegalArgumentException("toIteration (" + toIteration + ") must be >= fromIteration ("
                    + fromIteration + ")");
        }
        Map<String, IUpdater> updaters = updatersByKey(model);
        List<String> newKeys = new ArrayList<>(updaters.keySet());
        if (size == 0 && keys.isEmpty()) {
            keys = Collections.unmodifiableList(newKeys);
            learningRates = new double[keys.size()][iterations.length];
        } else if (!newKeys.equals(keys)) {
            throw new IllegalStateException("recorded parameters " + keys + " and cannot continue on a model with "
                    + "parameters " + newKeys);
        }
        IUpdater[] columns = updaters.values().toArray(new IUpdater[0]);
        for (int i = fromIteration; i < toIteration; i++) {
            if (size == iterations.length) {
                grow();
            }
            iterations[size] = i;
            epochs[size] = epoch;
            scores[size] = score;
            for (int p = 0; p < columns.length; p++) {
                learningRates[p][size] = columns[p].getLearningRate(i, epoch);
            }
            size++;
        }
    }

    /** Parameters with a learning rate, named like StatsListener, in the model's order. */
    static Map<String, IUpdater> updatersByKey(Model model) {
        boolean graph = model instanceof ComputationGraph;
        Map<String, IUpdater> result = new LinkedHashMap<>();
        for (Layer layer : Networks.layers(model)) {
            for (String param : layer.paramTable(false).keySet()) {
                IUpdater updater = Networks.updater(layer, param);
                if (updater != null && updater.hasLearningRate()) {
                    String prefix = graph ? layer.conf().getLayer().getLayerName() : String.valueOf(layer.getIndex());
                    result.put(prefix + "_" + param, updater);
                }
            }
        }
        return result;
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

    /** Number of recorded steps. */
    @Override
    public int size() {
        return size;
    }

    /** Recorded parameter names, in the order of the CSV columns. */
    @Override
    public List<String> parameterKeys() {
        return keys;
    }

    /** The global iteration count of each row (a copy). */
    @Override
    public int[] iterations() {
        return Arrays.copyOf(iterations, size);
    }

    /** The epoch count of each row (a copy). */
    @Override
    public int[] epochs() {
        return Arrays.copyOf(epochs, size);
    }

    /** Spark's training score of the fit each row belongs to (a copy). */
    @Override
    public double[] scores() {
        return Arrays.copyOf(scores, size);
    }

    /**
     * Learning rates of one parameter, one per row (a copy).
     *
     * @throws IllegalArgumentException if {@code parameterKey} was not recorded
     */
    @Override
    public double[] learningRates(String parameterKey) {
        int p = keys.indexOf(parameterKey);
        if (p < 0) {
            throw new IllegalArgumentException("parameterKey (" + parameterKey + ") was not recorded; recorded: " + keys);
        }
        return Arrays.copyOf(learningRates[p], size);
    }

    /** Writes the CSV of {@code LearningRateRecorder.writeCsv}; the file is replaced only once complete. */
    public void writeCsv(Path file) throws IOException {
        AtomicFiles.writeText(file, this::writeCsv);
    }

    /** Writes {@code iteration,epoch,score,<param>...}, one row per step. */
    public void writeCsv(Writer out) throws IOException {
        LearningRateCsv.write(out, keys, size, iterations, epochs, scores, learningRates);
    }

    /**
     * Writes rows {@code fromRow ..} as {@code StatsListener} reports (type {@link StatsListener#TYPE_ID}) of
     * session {@code sessionId}, worker {@code workerId}, with the static information a storage needs before it
     * lists a worker when {@code fromRow == 0}. Storages key reports by millisecond timestamp, so row {@code r} gets
     * timestamp {@code startMillis + r}: no two rows overwrite each other, and a run that writes its rows epoch by
     * epoch passes the same {@code startMillis} every time and the number of rows written so far as {@code fromRow}.
     *
     * @throws IllegalArgumentException if an argument is null or {@code fromRow} is negative
     */
    public void writeTo(StatsStorageRouter router, String sessionId, String workerId, long startMillis, int fromRow) {
        Args.notNull("router", router);
        Args.notNull("sessionId", sessionId);
        Args.notNull("workerId", workerId);
        Args.nonNegative("fromRow", fromRow);
        if (fromRow == 0) {
            // Storages list a worker (and so its updates) only once it has static info.
            SbeStatsInitializationReport init = new SbeStatsInitializationReport();
            init.reportIDs(sessionId, StatsListener.TYPE_ID, workerId, startMillis - 1);
            router.putStaticInfo(init);
        }
        for (int r = fromRow; r < size; r++) {
            SbeStatsReport report = new SbeStatsReport();
            report.reportIDs(sessionId, StatsListener.TYPE_ID, workerId, startMillis + r);
            report.reportIterationCount(iterations[r]);
            report.reportScore(scores[r]);
            Map<String, Double> rates = new HashMap<>();
            for (int p = 0; p < keys.size(); p++) {
                rates.put(keys.get(p), learningRates[p][r]);
            }
            report.reportLearningRates(rates);
            router.putUpdate(report);
        }
    }

    /** Writes every row into {@code router}, as {@link #writeTo(StatsStorageRouter, String, String, long, int)}. */
    public void writeTo(StatsStorageRouter router, String sessionId) {
        Args.notNull("router", router);
        Args.notNull("sessionId", sessionId);
        writeTo(router, sessionId, "driver", System.currentTimeMillis(), 0);
    }
}
