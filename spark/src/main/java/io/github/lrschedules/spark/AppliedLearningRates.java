package io.github.lrschedules.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.github.lrschedules.record.LearningRateTable;
import io.github.lrschedules.ui.LearningRateReports;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.internal.Args;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.ui.model.stats.StatsListener;
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
 * <p>The rows live in a {@link LearningRateTable} (memory bounded by the distinct rates, not the parameters).
 * Serializable: the training loop keeps it in its checkpoint. Not thread-safe (the driver loop owns it).
 */
public final class AppliedLearningRates implements LearningRateRows, Serializable {

    private static final long serialVersionUID = 2L;

    private final LearningRateTable table = new LearningRateTable();

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
        Map<String, IUpdater> updaters = LearningRateTable.updatersByKey(model);
        table.keys(new ArrayList<>(updaters.keySet()));
        IUpdater[] columns = updaters.values().toArray(new IUpdater[0]);
        double[] rates = new double[columns.length];
        for (int i = fromIteration; i < toIteration; i++) {
            for (int p = 0; p < columns.length; p++) {
                rates[p] = columns[p].getLearningRate(i, epoch);
            }
            table.append(i, epoch, score, rates);
        }
    }

    /** The table the rows are stored in. */
    public LearningRateTable table() {
        return table;
    }

    /** Number of recorded steps. */
    @Override
    public int size() {
        return table.size();
    }

    /** Recorded parameter names, in the order of the CSV columns. */
    @Override
    public List<String> parameterKeys() {
        return table.parameterKeys();
    }

    /** The global iteration count of each row (a copy). */
    @Override
    public int[] iterations() {
        return table.iterations();
    }

    /** The epoch count of each row (a copy). */
    @Override
    public int[] epochs() {
        return table.epochs();
    }

    /** Spark's training score of the fit each row belongs to (a copy). */
    @Override
    public double[] scores() {
        return table.scores();
    }

    /**
     * Learning rates of one parameter, one per row (a copy).
     *
     * @throws IllegalArgumentException if {@code parameterKey} was not recorded
     */
    @Override
    public double[] learningRates(String parameterKey) {
        return table.learningRates(parameterKey);
    }

    @Override
    public int iteration(int row) {
        return table.iteration(row);
    }

    @Override
    public int epoch(int row) {
        return table.epoch(row);
    }

    @Override
    public double score(int row) {
        return table.score(row);
    }

    @Override
    public double learningRate(int p, int row) {
        return table.learningRate(p, row);
    }

    /** Writes the CSV of {@code LearningRateRecorder.writeCsv}; the file is replaced only once complete. */
    public void writeCsv(Path file) throws IOException {
        table.writeCsv(file);
    }

    /** Writes {@code iteration,epoch,score,<param>...}, one row per step. */
    public void writeCsv(Writer out) throws IOException {
        table.writeCsv(out);
    }

    /**
     * Writes rows {@code fromRow ..} as {@link io.github.lrschedules.ui.LearningRateBlock}s of session {@code sessionId}, worker
     * {@code workerId}: {@link LearningRateReports#write}.
     *
     * @throws IllegalArgumentException if an argument is null or {@code fromRow} is negative
     */
    public void writeTo(StatsStorageRouter router, String sessionId, String workerId, long startMillis, int fromRow) {
        LearningRateReports.write(table, router, sessionId, workerId, startMillis, fromRow);
    }

    /** Writes every row into {@code router}, as {@link #writeTo(StatsStorageRouter, String, String, long, int)}. */
    public void writeTo(StatsStorageRouter router, String sessionId) {
        Args.notNull("router", router);
        Args.notNull("sessionId", sessionId);
        writeTo(router, sessionId, "driver", System.currentTimeMillis(), 0);
    }
}
