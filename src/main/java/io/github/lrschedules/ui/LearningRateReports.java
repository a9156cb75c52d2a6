package io.github.lrschedules.ui;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.record.LearningRateTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.core.storage.StatsStorageRouter;

/**
 * Writes the exact applied learning rates ({@link LearningRateRows}: a {@code LearningRateRecorder}, the Spark module's
 * {@code AppliedLearningRates}) into a DL4J {@code StatsStorage} as {@link LearningRateBlock}s that the Schedules page
 * reads: for Spark runs (whose workers' reports do not carry what the driver decided) and for local runs whose page
 * should draw the recorded rate of every iteration rather than {@code StatsListener}'s reports, of which the storage
 * keeps one per millisecond (a fast run loses iterations).
 *
 * <p>A block holds up to {@value #BLOCK_ROWS} consecutive rows in 64-bit floats, read back exactly (DL4J's own
 * {@code StatsReport} rounds a learning rate to a 32-bit float), with the hyperparameters recorded beside the rates
 * ({@code LearningRateRecorder.builder().momentum(true).weightDecay(true)}) as columns keyed {@code momentum:0_W};
 * the page draws them beside the rate and never lists them as parameters. DL4J's {@code FileStatsStorage} commits
 * every report to disk (about 15 ms each measured here), so one block per epoch (or per {@value #BLOCK_ROWS} rows)
 * instead of one report per iteration takes the recording out of a run's time; a block costs 8 bytes per row for
 * each column that changes at every row (a cosine rate, the score) and a few bytes per block for the others.
 *
 * <p>Storages written by earlier versions hold one {@code StatsListener} report per row (type
 * {@code StatsListener.TYPE_ID}, worker {@link #WORKER_ID}); the Schedules page still reads them.
 */
public final class LearningRateReports {

    /**
     * The worker id under which to write a run's exact rows: a session that has blocks of it is drawn from these rows
     * alone on the Schedules page, even where {@code StatsListener} reports the same run too.
     */
    public static final String WORKER_ID = "applied-learning-rates";

    /** Most rows in one block: an epoch of a usual run is one block. */
    public static final int BLOCK_ROWS = 4096;
    /** An overview holds one row in this many. */
    static final int OVERVIEW_FRACTION = 16;
    /**
     * Rows of a span: the overview ({@link LearningRateBlock#OVERVIEW_TYPE_ID}, at most {@value #BLOCK_ROWS} rows) of
     * rows {@code [k * SPAN_ROWS, (k + 1) * SPAN_ROWS)} of a session stands for them.
     */
    public static final int SPAN_ROWS = OVERVIEW_FRACTION * BLOCK_ROWS;

    private LearningRateReports() {
    }

    /**
     * Writes rows {@code fromRow ..} of {@code rows} as {@link LearningRateBlock}s of at most {@value #BLOCK_ROWS}
     * rows (type {@link LearningRateBlock#TYPE_ID}) of session {@code sessionId}, worker {@code workerId}, with the
     * static information a storage needs before it lists a worker when {@code fromRow == 0}. Storages key reports by
     * millisecond timestamp, so a block whose first row is {@code r} gets timestamp {@code startMillis + r}: no two
     * blocks overwrite each other, and a run that writes its rows epoch by epoch passes the same {@code startMillis}
     * every time and the number of rows written so far as {@code fromRow}. Beside the blocks go the overviews of the
     * spans the rows are in ({@link LearningRateBlock#OVERVIEW_TYPE_ID}: a sixteenth of the rows
     * {@code [k * SPAN_ROWS, (k + 1) * SPAN_ROWS)} written so far, timestamp {@code startMillis + k * SPAN_ROWS}),
     * which the Schedules page reads instead of the blocks of a session of more than 16 times the rows it keeps. A
     * span's overview is written again by every call that adds rows to the span, so a session has one overview per
     * {@value #SPAN_ROWS} rows however its rows were written: the first answer over ten sessions of 10^6 iterations
     * reads 160 records, a sixteenth of the rows, where a run that writes an epoch at a time has written 10,000
     * blocks. Thinning a span's rows costs a few milliseconds per call.
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
            router.putStaticInfo(LearningRateBlock.header(sessionId, workerId, startMillis - 1, rows));
            router.putStaticInfo(LearningRateBlock.overviewHeader(sessionId, workerId, startMillis - 1, rows));
        }
        int n = rows.size();
        for (int from = fromRow; from < n; from += BLOCK_ROWS) {
            int to = (int) Math.min(n, (long) from + BLOCK_ROWS);
            LearningRateBlock block = new LearningRateBlock(sessionId, workerId, startMillis + from, rows, from, to);
            router.putUpdate(block);
        }
        if (fromRow >= n) {
            return;
        }
        // the overviews of the spans these rows are in, the last one over the rows so far
        for (long span = fromRow / SPAN_ROWS; span * SPAN_ROWS < n; span++) {
            int first = (int) (span * SPAN_ROWS);
            int end = (int) Math.min(n, first + (long) SPAN_ROWS);
            router.putUpdate(overview(new LearningRateBlock(sessionId, workerId, startMillis + first, rows, first,
                    end)));
        }
    }

    /**
     * The overview of the rows of {@code block}: at most a sixteenth ({@value #OVERVIEW_FRACTION}) of them (at least
     * two), chosen by {@link Downsampler#thin}: the first and last rows, both sides of every step and the bends of
     * every column, a grid uniform in iterations.
     */
    static LearningRateBlock overview(LearningRateBlock block) {
        int n = block.size();
        int[] iterations = block.iterationArray();
        List<float[]> series = new ArrayList<>();
        double[][] columns = block.columnArrays();
        for (int c = 0; c < columns.length; c++) {
            boolean repeated = false;
            for (int earlier = 0; earlier < c; earlier++) {
                repeated |= columns[earlier] == columns[c];
            }
            if (!repeated) {
                float[] values = new float[n];
                for (int r = 0; r < n; r++) {
                    values[r] = (float) columns[c][r];
                }
                series.add(values);
            }
        }
        int[] chosen = Downsampler.thin(n, iterations, series,
                Math.max(2, (n + OVERVIEW_FRACTION - 1) / OVERVIEW_FRACTION));
        return new LearningRateBlock(block.getSessionID(), block.getWorkerID(), block.getTimeStamp(),
                new SelectedRows(block, chosen), 0, chosen.length, n);
    }

    /**
     * Writes a whole run's rows thinned to at most {@code maxRows} rows, chosen as the Schedules page chooses the
     * points it draws: the first and the last row, both sides of every step of a rate or a recorded hyperparameter,
     * the bends (warm restarts, the end of a warmup), then a uniform grid; for a storage that should stay small (the
     * rows themselves are in the recorder's CSV). The chosen rows are written as {@link #write} writes rows, in
     * blocks of at most {@value #BLOCK_ROWS}; a block whose first row is row {@code r} of {@code rows} gets timestamp
     * {@code startMillis + r}.
     *
     * @return the number of rows written
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
        LearningRateRows selected = new SelectedRows(rows, chosen);
        router.putStaticInfo(LearningRateBlock.header(sessionId, workerId, startMillis - 1, rows));
        for (int from = 0; from < chosen.length; from += BLOCK_ROWS) {
            int to = Math.min(chosen.length, from + BLOCK_ROWS);
            router.putUpdate(new LearningRateBlock(sessionId, workerId, startMillis + chosen[from], selected, from,
                    to));
        }
        return chosen.length;
    }

    /**
     * Reads back the rows that {@link #write} wrote for {@code sessionId} and {@code workerId}, in the order of
     * their blocks' timestamps, exactly as they were recorded; an empty table if there are none. Reads blocks only,
     * not the per-row reports of earlier versions.
     *
     * @throws IllegalArgumentException if an argument is null, or the blocks disagree on their parameter keys
     */
    public static LearningRateTable read(StatsStorage storage, String sessionId, String workerId) {
        Args.notNull("storage", storage);
        Args.notNull("sessionId", sessionId);
        Args.notNull("workerId", workerId);
        List<LearningRateBlock> blocks = new ArrayList<>();
        for (Persistable p : storage.getAllUpdatesAfter(sessionId, LearningRateBlock.TYPE_ID, workerId,
                Long.MIN_VALUE)) {
            if (p instanceof LearningRateBlock) {
                blocks.add((LearningRateBlock) p);
            }
        }
        blocks.sort(Comparator.comparingLong(LearningRateBlock::getTimeStamp));
        LearningRateTable table = new LearningRateTable();
        for (LearningRateBlock block : blocks) {
            if (block.size() == 0) {
                continue;
            }
            try {
                table.keys(block.parameterKeys(), block.hyperparameterKeys());
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException("the blocks of session " + sessionId + ", worker " + workerId
                        + " disagree on their keys: " + e.getMessage(), e);
            }
            int rates = block.parameterKeys().size();
            double[] rowRates = new double[rates];
            double[] rowHyperparameters = new double[block.hyperparameterKeys().size()];
            for (int r = 0; r < block.size(); r++) {
                for (int p = 0; p < rates; p++) {
                    rowRates[p] = block.learningRate(p, r);
                }
                for (int h = 0; h < rowHyperparameters.length; h++) {
                    rowHyperparameters[h] = block.hyperparameter(h, r);
                }
                table.append(block.iteration(r), block.epoch(r), block.score(r), rowRates, rowHyperparameters);
            }
        }
        return table;
    }

    /** The rows of {@code rows} at {@code chosen}, without copying them. */
    private static final class SelectedRows implements LearningRateRows {
        private final LearningRateRows rows;
        private final int[] chosen;

        SelectedRows(LearningRateRows rows, int[] chosen) {
            this.rows = rows;
            this.chosen = chosen;
        }

        @Override
        public int size() {
            return chosen.length;
        }

        @Override
        public List<String> parameterKeys() {
            return rows.parameterKeys();
        }

        @Override
        public List<String> hyperparameterKeys() {
            return rows.hyperparameterKeys();
        }

        @Override
        public int[] iterations() {
            int[] out = new int[chosen.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = rows.iteration(chosen[i]);
            }
            return out;
        }

        @Override
        public int[] epochs() {
            int[] out = new int[chosen.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = rows.epoch(chosen[i]);
            }
            return out;
        }

        @Override
        public double[] scores() {
            double[] out = new double[chosen.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = rows.score(chosen[i]);
            }
            return out;
        }

        @Override
        public double[] learningRates(String parameterKey) {
            return column(parameterKeys().indexOf(parameterKey), parameterKey, false);
        }

        @Override
        public double[] hyperparameters(String columnKey) {
            return column(hyperparameterKeys().indexOf(columnKey), columnKey, true);
        }

        private double[] column(int index, String key, boolean hyperparameter) {
            if (index < 0) {
                throw new IllegalArgumentException("key (" + key + ") was not recorded");
            }
            double[] out = new double[chosen.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = hyperparameter ? rows.hyperparameter(index, chosen[i]) : rows.learningRate(index, chosen[i]);
            }
            return out;
        }

        @Override
        public int iteration(int row) {
            return rows.iteration(chosen[row]);
        }

        @Override
        public int epoch(int row) {
            return rows.epoch(chosen[row]);
        }

        @Override
        public double score(int row) {
            return rows.score(chosen[row]);
        }

        @Override
        public double learningRate(int p, int row) {
            return rows.learningRate(p, chosen[row]);
        }

        @Override
        public double hyperparameter(int h, int row) {
            return rows.hyperparameter(h, chosen[row]);
        }
    }
}
