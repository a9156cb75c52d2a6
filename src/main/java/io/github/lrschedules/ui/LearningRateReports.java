package io.github.lrschedules.ui;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.record.LearningRateRows;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsInitializationReport;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsReport;

/**
 * Writes the exact applied learning rates ({@link LearningRateRows}: a {@code LearningRateRecorder}, the Spark module's {@code AppliedLearningRates}) into a DL4J {@code StatsStorage}, as
 * {@code StatsListener} reports that the Schedules page reads: for Spark runs (whose workers' reports do not carry
 * what the driver decided) and for local runs whose page should draw the recorded rate of every iteration rather than
 * {@code StatsListener}'s reports, of which the storage keeps one per millisecond (a fast run loses iterations).
 * DL4J's report format stores a learning rate as a float32, so the page sees each recorded rate rounded to float.
 *
 * <p>Hyperparameters recorded beside the rates ({@code LearningRateRecorder.builder().momentum(true)
 * .weightDecay(true)}) travel in the same reports, as learning-rate entries keyed by their column key
 * ({@code momentum:0_W}); the page draws them beside the rate and never lists them as parameters.
 */
public final class LearningRateReports {

    /**
     * The worker id under which to write a run's exact rows: a session that has it is drawn from these rows alone on
     * the Schedules page, even where {@code StatsListener} reports the same run too.
     */
    public static final String WORKER_ID = "applied-learning-rates";

    private LearningRateReports() {
    }

    /**
     * Writes rows {@code fromRow ..} of {@code rows} as {@code StatsListener} reports (type
     * {@link StatsListener#TYPE_ID}) of session {@code sessionId}, worker {@code workerId}, with the static
     * information a storage needs before it lists a worker when {@code fromRow == 0}. Storages key reports by
     * millisecond timestamp, so row {@code r} gets timestamp {@code startMillis + r}: no two rows overwrite each other,
     * and a run that writes its rows epoch by epoch passes the same {@code startMillis} every time and the number of
     * rows written so far as {@code fromRow}.
     *
     * @throws IllegalArgumentException if an argument is null or {@code fromRow} is negative
     */
    public static void write(LearningRateRows rows, StatsStorageRouter router, String sessionId, String workerId,
                             long startMillis, int fromRow) {
        Args.notNull("rows", rows);
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
        for (int r = fromRow; r < rows.size(); r++) {
            putRow(rows, router, sessionId, workerId, startMillis, r);
        }
    }

    /**
     * Writes a whole run's rows thinned to at most {@code maxRows} reports, chosen as the Schedules page chooses the
     * points it draws: the first and the last row, both sides of every step of a rate or a recorded hyperparameter,
     * the bends (warm restarts, the end of a warmup), then a uniform grid. For long runs in DL4J's
     * {@code FileStatsStorage}, which commits each report to disk (about 15 ms per report measured here: ten sessions
     * of 10^6 rows would take days); keep the exact rows in the recorder's CSV. Row {@code r} keeps timestamp
     * {@code startMillis + r}, as {@link #write} gives it.
     *
     * @return the number of reports written
     * @throws IllegalArgumentException if an argument is null or {@code maxRows < 2}
     */
    public static int writeThinned(LearningRateRows rows, StatsStorageRouter router, String sessionId,
                                   String workerId, long startMillis, int maxRows) {
        Args.notNull("rows", rows);
        Args.notNull("router", router);
        Args.notNull("sessionId", sessionId);
        Args.notNull("workerId", workerId);
        Args.atLeast("maxRows", maxRows, 2);
        int n = rows.size();
        List<float[]> series = new ArrayList<>();
        if (n > maxRows) {
            for (int p = 0; p < rows.parameterKeys().size(); p++) {
                float[] values = new float[n];
                for (int r = 0; r < n; r++) {
                    values[r] = (float) rows.learningRate(p, r);
                }
                series.add(values);
            }
            for (int h = 0; h < rows.hyperparameterKeys().size(); h++) {
                float[] values = new float[n];
                for (int r = 0; r < n; r++) {
                    values[r] = (float) rows.hyperparameter(h, r);
                }
                series.add(values);
            }
        }
        int[] chosen = Downsampler.select(n, series, maxRows);
        SbeStatsInitializationReport init = new SbeStatsInitializationReport();
        init.reportIDs(sessionId, StatsListener.TYPE_ID, workerId, startMillis - 1);
        router.putStaticInfo(init);
        for (int r : chosen) {
            putRow(rows, router, sessionId, workerId, startMillis, r);
        }
        return chosen.length;
    }

    private static void putRow(LearningRateRows rows, StatsStorageRouter router, String sessionId, String workerId,
                               long startMillis, int r) {
        List<String> keys = rows.parameterKeys();
        List<String> hyperparameterKeys = rows.hyperparameterKeys();
        SbeStatsReport report = new SbeStatsReport();
        report.reportIDs(sessionId, StatsListener.TYPE_ID, workerId, startMillis + r);
        report.reportIterationCount(rows.iteration(r));
        report.reportScore(rows.score(r));
        Map<String, Double> rates = new HashMap<>();
        for (int p = 0; p < keys.size(); p++) {
            rates.put(keys.get(p), rows.learningRate(p, r));
        }
        for (int h = 0; h < hyperparameterKeys.size(); h++) {
            rates.put(hyperparameterKeys.get(h), rows.hyperparameter(h, r));
        }
        report.reportLearningRates(rates);
        router.putUpdate(report);
    }
}
