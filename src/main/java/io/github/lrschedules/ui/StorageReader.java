package io.github.lrschedules.ui;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.record.EpochMetricsReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.core.storage.StatsStorageListener;
import org.deeplearning4j.ui.model.storage.BaseCollectionStatsStorage;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsReport;

/**
 * Reads the sessions of one {@link StatsStorage} into primitive arrays, and on each later {@link #refresh()} only
 * the reports stored since, so that a page that polls a live training run does not decode the whole history every
 * time. Not thread-safe: the module calls it under its lock.
 *
 * <p>A session is shown if it has {@link LearningRateBlock}s, {@code StatsListener} reports or
 * {@link EpochMetricsReport}s. Where a session has blocks ({@link LearningRateReports}), the page reads its rates and
 * scores from them alone (every iteration, exactly as recorded, then rounded to float for the page) and ignores
 * {@code StatsListener}'s reports of the same run; likewise for the one report per row under worker
 * {@link LearningRateReports#WORKER_ID} that earlier versions wrote. Rows are ordered by iteration, one per iteration:
 * when several workers (ParallelWrapper) report the same iteration, the one read last is kept. Storages key reports
 * by millisecond timestamp, so a fast run may miss iterations whose report was replaced by the next one in the same
 * millisecond; the page shows what is stored.
 *
 * <p>A session whose blocks stand for more than {@value #OVERVIEW_FACTOR} times {@code maxRows} rows (800,000 by
 * default) is read from its spans' overviews ({@link LearningRateBlock#OVERVIEW_TYPE_ID}: a sixteenth of each
 * {@value LearningRateReports#SPAN_ROWS} rows, chosen by the rules below, exact), so that a page opening ten such
 * sessions reads a sixteenth of the bytes in 16 records per session, however many blocks the rows were written in.
 *
 * <p>Memory is bounded per session: past {@code maxRows} rows ({@value #MAX_ROWS} by default) the rows are thinned
 * by {@link Downsampler#thin} (the first and the last, both sides of every step and the bends of every rate and
 * hyperparameter column, then a grid uniform in iterations) to {@code maxRows}, during a read whenever four times
 * that many are held and at the end of every read; the values at the rows kept are the stored ones. Columns that
 * are equal (every parameter under one schedule) share one array. A session of any length thus holds at most
 * {@code 4 * maxRows} rows (plus a block) while it is read and {@code maxRows} afterwards: with one distinct rate
 * column and two hyperparameter columns, 24 bytes per row, 1.2 MB per session after the read. A page asking for
 * more points than that gets at most {@code maxRows} of such a session; the JSON says how many iterations were
 * stored.
 *
 * <p>DL4J's storages answer {@code getAllUpdatesAfter} by scanning every report of the worker, and
 * {@code FileStatsStorage} reads each from its file (about 1.4 ms per report measured here): asking on every poll
 * would cost a finished long run minutes per poll. DL4J's own storages ({@link BaseCollectionStatsStorage}: in
 * memory, file) announce every write to their listeners, so the reader registers one and reads again only after a
 * write, and only the sessions written to (a live run's epoch does not make the page scan ten finished sessions
 * again); others are read on every refresh.
 */
final class StorageReader {

    /** Rows a session keeps after a read, by default. */
    static final int MAX_ROWS = 50_000;
    /** A session whose blocks hold more than this many times {@code maxRows} rows is read from their overviews. */
    static final int OVERVIEW_FACTOR = 16;
    /** A session is thinned during a read once it holds this many times {@code maxRows} rows. */
    private static final int READ_ROWS_FACTOR = 4;
    /** Stands for a write that names no session: new sessions are read, none read before. */
    private static final String ANY_SESSION = "";

    private final StatsStorage storage;
    private final int maxRows;
    private final Map<String, Accumulator> sessions = new HashMap<>();
    private long version;
    /**
     * The sessions of the writes the storage announced since the last read ({@link #ANY_SESSION} for a write that
     * names none); null listener: the storage announces none, read every time.
     */
    private final Set<String> writtenSessions = ConcurrentHashMap.newKeySet();
    private final StatsStorageListener listener;
    private List<SessionSeries> last;

    StorageReader(StatsStorage storage) {
        this(storage, MAX_ROWS);
    }

    /** A reader that thins a session to {@code maxRows} rows (at least 2). */
    StorageReader(StatsStorage storage, int maxRows) {
        this.storage = storage;
        this.maxRows = Args.atLeast("maxRows", maxRows, 2);
        if (storage instanceof BaseCollectionStatsStorage) {
            listener = event -> writtenSessions.add(event.getSessionID() == null ? ANY_SESSION
                    : event.getSessionID());
            storage.registerStatsStorageListener(listener);
        } else {
            listener = null;
        }
    }

    /** Stops listening to the storage (when it is detached). */
    void close() {
        if (listener != null) {
            storage.deregisterStatsStorageListener(listener);
        }
    }

    StatsStorage storage() {
        return storage;
    }

    /** Grows whenever {@link #refresh()} reads something new, so that equal versions mean equal data. */
    long version() {
        return version;
    }

    /**
     * Reads what is new and returns every session, in the order the sessions started; without reading anything when
     * the storage announced no write since the last call, and of the sessions read before only those it announced
     * writes to.
     */
    List<SessionSeries> refresh() {
        if (storage.isClosed()) {
            return new ArrayList<>();
        }
        if (listener != null && writtenSessions.isEmpty() && last != null) {
            return last;
        }
        // drained before reading: a write announced during the read is read by the next refresh
        Set<String> announced = new HashSet<>();
        for (Iterator<String> it = writtenSessions.iterator(); it.hasNext(); ) {
            announced.add(it.next());
            it.remove();
        }
        Set<String> toRead = listener != null && last != null ? announced : null; // null: every session
        for (String sessionId : storage.listSessionIDs()) {
            if (toRead != null && sessions.containsKey(sessionId) && !toRead.contains(sessionId)) {
                continue;
            }
            List<String> types = storage.listTypeIDsForSession(sessionId);
            boolean blocks = types.contains(LearningRateBlock.TYPE_ID);
            boolean stats = types.contains(StatsListener.TYPE_ID);
            boolean metrics = types.contains(EpochMetricsReport.TYPE_ID);
            if (!blocks && !stats && !metrics) {
                continue;
            }
            Accumulator session = sessions.get(sessionId);
            if (session == null) {
                session = new Accumulator(sessionId, maxRows);
                sessions.put(sessionId, session);
                version++;
            }
            if (blocks) {
                readBlocks(session, types.contains(LearningRateBlock.OVERVIEW_TYPE_ID));
            } else if (stats) {
                read(session, StatsListener.TYPE_ID, session.lastStatsTimestamp, StorageReader::addStats);
            }
            if (metrics) {
                read(session, EpochMetricsReport.TYPE_ID, session.lastMetricsTimestamp, StorageReader::addMetrics);
            }
            session.finishRead();
        }
        List<Accumulator> ordered = new ArrayList<>(sessions.values());
        ordered.sort((a, b) -> a.firstTimestamp != b.firstTimestamp
                ? Long.compare(a.firstTimestamp, b.firstTimestamp) : a.id.compareTo(b.id));
        List<SessionSeries> out = new ArrayList<>(ordered.size());
        for (Accumulator a : ordered) {
            out.add(a.view());
        }
        last = out;
        return out;
    }

    /**
     * Reads a session's new blocks, or its spans' overviews once they stand for more than {@value #OVERVIEW_FACTOR}
     * times {@code maxRows} rows (the page keeps {@code maxRows} of them: reading a sixteenth of the rows costs a
     * sixteenth of the time, and one record per {@value LearningRateReports#SPAN_ROWS} rows however the rows were
     * written). A span's overview is written again while the span fills, so a session read from overviews is read
     * again, all its overviews (a few records), whenever one of them changed.
     */
    private void readBlocks(Accumulator session, boolean overviews) {
        if (overviews) {
            boolean fromStart = session.overviewCursors.isEmpty();
            List<Persistable> read = new ArrayList<>();
            boolean changed = false;
            long rows = 0;
            for (String worker : storage.listWorkerIDsForSessionAndType(session.id,
                    LearningRateBlock.OVERVIEW_TYPE_ID)) {
                OverviewCursor cursor = session.overviewCursors.computeIfAbsent(worker, w -> new OverviewCursor());
                changed |= cursor.read(storage, session.id, worker, read);
                rows += cursor.rows;
            }
            boolean switching = session.source != Source.OVERVIEWS && rows > (long) OVERVIEW_FACTOR * maxRows;
            if (switching || (session.source == Source.OVERVIEWS && changed)) {
                session.clearRows();
                session.source = Source.OVERVIEWS;
                version++;
                if (!fromStart) {
                    // read every overview again: what was read before only counted rows, or has been written again
                    session.overviewCursors.clear();
                    readBlocks(session, true);
                    return;
                }
            }
            if (session.source == Source.OVERVIEWS) {
                if (fromStart) {
                    // else nothing changed: the latest overview was read again as it was
                    for (Persistable p : read) {
                        addBlock(session, p);
                    }
                }
                return;
            }
        }
        if (session.source != Source.BLOCKS) {
            // the exact rows replace whatever StatsListener reports were read before the first block
            session.clearRows();
            session.source = Source.BLOCKS;
        }
        read(session, LearningRateBlock.TYPE_ID, session.lastBlockTimestamp, StorageReader::addBlock);
    }

    /** Appends a {@code StatsListener} report's iteration, score and learning rates. */
    private static void addStats(Accumulator session, Persistable p) {
        if (p instanceof StatsReport) {
            StatsReport report = (StatsReport) p;
            session.append(report.getIterationCount(), report.getScore(), report.getLearningRates(),
                    report.getTimeStamp());
        }
    }

    /** Appends a block's rows (a block without rows is a worker's static information). */
    private static void addBlock(Accumulator session, Persistable p) {
        if (p instanceof LearningRateBlock && ((LearningRateBlock) p).size() > 0) {
            LearningRateBlock block = (LearningRateBlock) p;
            session.dropped += block.representedRows() - block.size();
            session.append(block.iterationArray(), block.scoreArray(), block.size(), block.columnKeys(),
                    Arrays.asList(block.columnArrays()), block.getTimeStamp());
        }
    }

    /** Merges an epoch's metrics (the header report, epoch -1, carries none). */
    private static void addMetrics(Accumulator session, Persistable p) {
        if (p instanceof EpochMetricsReport && ((EpochMetricsReport) p).getEpoch() >= 0) {
            EpochMetricsReport report = (EpochMetricsReport) p;
            session.epochMetrics.computeIfAbsent(report.getEpoch(), e -> new HashMap<>()).putAll(report.getMetrics());
            session.firstTimestamp = Math.min(session.firstTimestamp, report.getTimeStamp());
        }
    }

    /**
     * Hands every update of type {@code typeId} stored since the last read, worker by worker, to {@code add}, and
     * remembers per worker the latest timestamp read ({@code lastTimestamps}).
     */
    private void read(Accumulator session, String typeId, Map<String, Long> lastTimestamps,
                      BiConsumer<Accumulator, Persistable> add) {
        List<String> workers = storage.listWorkerIDsForSessionAndType(session.id, typeId);
        if (typeId.equals(StatsListener.TYPE_ID) && workers.contains(LearningRateReports.WORKER_ID)) {
            // the recorder's row of every iteration replaces StatsListener's reports of the same run
            workers = List.of(LearningRateReports.WORKER_ID);
        }
        for (String worker : workers) {
            long after = lastTimestamps.getOrDefault(worker, Long.MIN_VALUE);
            List<Persistable> updates = storage.getAllUpdatesAfter(session.id, typeId, worker, after);
            if (!updates.isEmpty()) {
                version++;
            }
            for (Persistable p : updates) {
                after = Math.max(after, p.getTimeStamp());
                add.accept(session, p);
            }
            lastTimestamps.put(worker, after);
        }
    }

    /**
     * Growable columns of one session. Keys whose values have been equal at every row so far share one column; a
     * column is split when its keys' values part.
     */
    private static final class Accumulator {
        private static final int INITIAL_CAPACITY = 256;

        final String id;
        final int maxRows;
        final Map<String, Long> lastStatsTimestamp = new HashMap<>();
        final Map<String, Long> lastBlockTimestamp = new HashMap<>();
        /** Per worker, where the reading of overviews stands. */
        final Map<String, OverviewCursor> overviewCursors = new HashMap<>();
        final Map<String, Long> lastMetricsTimestamp = new HashMap<>();
        final TreeMap<Integer, Map<String, Double>> epochMetrics = new TreeMap<>();
        long firstTimestamp = Long.MAX_VALUE;
        /** Where the rows come from. */
        Source source = Source.STATS;

        int size;
        /** Rows thinned away. */
        long dropped;
        int capacity;
        int[] iterations;
        double[] scores;
        /** Key to index in {@link #columns}, in the order the keys were first seen. */
        final Map<String, Integer> columnOf = new LinkedHashMap<>();
        final List<float[]> columns = new ArrayList<>();
        boolean unsorted;

        Accumulator(String id, int maxRows) {
            this.id = id;
            this.maxRows = maxRows;
            clearRows();
        }

        void clearRows() {
            size = 0;
            dropped = 0;
            capacity = INITIAL_CAPACITY;
            iterations = new int[capacity];
            scores = new double[capacity];
            columnOf.clear();
            columns.clear();
            unsorted = false;
            lastStatsTimestamp.clear();
        }

        /** Appends one {@code StatsListener} report; keys with equal rates share a column. */
        void append(int iteration, double score, Map<String, Double> rates, long timestamp) {
            List<String> keys = new ArrayList<>();
            List<double[]> values = new ArrayList<>();
            if (rates != null) {
                Map<Long, double[]> byValue = new HashMap<>();
                for (Map.Entry<String, Double> e : rates.entrySet()) {
                    double v = e.getValue() == null ? Double.NaN : e.getValue();
                    keys.add(e.getKey());
                    values.add(byValue.computeIfAbsent(Double.doubleToLongBits(v), bits -> new double[] {v}));
                }
            }
            append(new int[] {iteration}, new double[] {score}, 1, keys, values, timestamp);
        }

        /**
         * Appends {@code n} rows: {@code values.get(k)} holds the values of {@code keys.get(k)} (one array shared by
         * keys whose values are equal); keys seen before but not given are NaN in these rows.
         */
        void append(int[] newIterations, double[] newScores, int n, List<String> keys, List<double[]> values,
                    long timestamp) {
            ensureCapacity(size + n);
            Map<String, double[]> sourceOf = new HashMap<>();
            int fresh = -1;
            for (int k = 0; k < keys.size(); k++) {
                String key = keys.get(k);
                sourceOf.put(key, values.get(k));
                if (!columnOf.containsKey(key)) {
                    if (fresh < 0) {
                        float[] column = new float[capacity];
                        Arrays.fill(column, 0, size, Float.NaN);
                        columns.add(column);
                        fresh = columns.size() - 1;
                    }
                    columnOf.put(key, fresh);
                }
            }
            // the keys of a column that get different values in these rows part: the first group keeps the column
            Map<Integer, List<Group>> groupsByColumn = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> e : columnOf.entrySet()) {
                double[] source = sourceOf.get(e.getKey());
                List<Group> groups = groupsByColumn.computeIfAbsent(e.getValue(), c -> new ArrayList<>());
                Group group = null;
                for (Group g : groups) {
                    if (g.source == source) {
                        group = g;
                        break;
                    }
                }
                if (group == null) {
                    group = new Group(source);
                    groups.add(group);
                }
                group.keys.add(e.getKey());
            }
            for (Map.Entry<Integer, List<Group>> e : groupsByColumn.entrySet()) {
                List<Group> groups = e.getValue();
                for (int g = 0; g < groups.size(); g++) {
                    int target = e.getKey();
                    if (g > 0) {
                        columns.add(Arrays.copyOf(columns.get(e.getKey()), capacity));
                        target = columns.size() - 1;
                        for (String key : groups.get(g).keys) {
                            columnOf.put(key, target);
                        }
                    }
                    float[] column = columns.get(target);
                    double[] source = groups.get(g).source;
                    if (source == null) {
                        Arrays.fill(column, size, size + n, Float.NaN);
                    } else {
                        for (int i = 0; i < n; i++) {
                            column[size + i] = (float) source[i];
                        }
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                int iteration = newIterations[i];
                if (size > 0 && iteration <= iterations[size - 1]) {
                    unsorted = true;
                }
                iterations[size] = iteration;
                scores[size] = newScores[i];
                size++;
            }
            firstTimestamp = Math.min(firstTimestamp, timestamp);
            if (size > READ_ROWS_FACTOR * maxRows) {
                thin();
            }
        }

        private void ensureCapacity(int needed) {
            if (needed <= capacity) {
                return;
            }
            capacity = Math.max(needed, 2 * capacity);
            iterations = Arrays.copyOf(iterations, capacity);
            scores = Arrays.copyOf(scores, capacity);
            columns.replaceAll(column -> Arrays.copyOf(column, capacity));
        }

        /** After a read: sorted, and at most {@link #maxRows} rows. */
        void finishRead() {
            sortIfNeeded();
            if (size > maxRows) {
                thin();
            }
        }

        /** Keeps the {@link #maxRows} rows {@link Downsampler#thin} chooses, in new arrays. */
        private void thin() {
            sortIfNeeded();
            int[] rows = Downsampler.thin(size, iterations, columns, maxRows);
            dropped += size - rows.length;
            keep(rows, rows.length, Math.max(INITIAL_CAPACITY, rows.length + rows.length / 2));
        }

        /** Keeps rows {@code rows[0 .. kept)}, in that order, in new arrays of {@code newCapacity}. */
        private void keep(int[] rows, int kept, int newCapacity) {
            capacity = newCapacity;
            int[] newIterations = new int[capacity];
            double[] newScores = new double[capacity];
            for (int k = 0; k < kept; k++) {
                newIterations[k] = iterations[rows[k]];
                newScores[k] = scores[rows[k]];
            }
            columns.replaceAll(column -> {
                float[] values = new float[capacity];
                for (int k = 0; k < kept; k++) {
                    values[k] = column[rows[k]];
                }
                return values;
            });
            iterations = newIterations;
            scores = newScores;
            size = kept;
        }

        /** Orders the rows by iteration and keeps, of rows with equal iterations, the one appended last. */
        void sortIfNeeded() {
            if (!unsorted) {
                return;
            }
            long[] keys = new long[size];
            for (int i = 0; i < size; i++) {
                keys[i] = ((long) iterations[i] << 32) | i;
            }
            Arrays.sort(keys);
            int[] rows = new int[size];
            int count = 0;
            for (int k = 0; k < size; k++) {
                boolean lastOfIteration = k == size - 1 || (int) (keys[k + 1] >> 32) != (int) (keys[k] >> 32);
                if (lastOfIteration) {
                    rows[count++] = (int) keys[k];
                }
            }
            keep(rows, count, capacity);
            unsorted = false;
        }

        SessionSeries view() {
            int[] epochs = new int[epochMetrics.size()];
            TreeSet<String> names = new TreeSet<>();
            int e = 0;
            for (Map.Entry<Integer, Map<String, Double>> entry : epochMetrics.entrySet()) {
                epochs[e++] = entry.getKey();
                names.addAll(entry.getValue().keySet());
            }
            Map<String, double[]> metrics = new LinkedHashMap<>();
            for (String name : names) {
                double[] values = new double[epochs.length];
                int i = 0;
                for (Map<String, Double> m : epochMetrics.values()) {
                    Double v = m.get(name);
                    values[i++] = v == null ? Double.NaN : v;
                }
                metrics.put(name, values);
            }
            Map<String, float[]> learningRates = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> c : columnOf.entrySet()) {
                learningRates.put(c.getKey(), columns.get(c.getValue()));
            }
            return new SessionSeries(id, id, size, size + dropped, iterations, scores, learningRates, epochs,
                    metrics);
        }
    }

    /**
     * Where the reading of one worker's span overviews stands: the rows the overviews read stand for, and the latest
     * one (the one that may be written again while its span fills). A run continued from a checkpoint writes its spans
     * from row 0 again under a later {@code startMillis}: further records, later than the earlier run's.
     */
    private static final class OverviewCursor {
        long lastTimestamp = Long.MIN_VALUE;
        long lastRows;
        long rows;

        /**
         * Adds the overviews written since the last read to {@code out} (the latest one read before again, as it may
         * have grown); true if any is new or has changed.
         */
        boolean read(StatsStorage storage, String sessionId, String worker, List<Persistable> out) {
            boolean changed = false;
            long after = lastTimestamp == Long.MIN_VALUE ? Long.MIN_VALUE : lastTimestamp - 1;
            for (Persistable p : storage.getAllUpdatesAfter(sessionId, LearningRateBlock.OVERVIEW_TYPE_ID, worker,
                    after)) {
                if (!(p instanceof LearningRateBlock) || ((LearningRateBlock) p).size() == 0) {
                    continue;
                }
                long represented = ((LearningRateBlock) p).representedRows();
                if (p.getTimeStamp() == lastTimestamp) {
                    changed |= represented != lastRows;
                    rows += represented - lastRows;
                } else {
                    changed = true;
                    rows += represented;
                }
                lastTimestamp = Math.max(lastTimestamp, p.getTimeStamp());
                lastRows = represented;
                out.add(p);
            }
            return changed;
        }
    }

    /** Where a session's rows come from. */
    private enum Source {
        /** {@code StatsListener} reports, or the per-row reports of earlier versions. */
        STATS,
        /** {@link LearningRateBlock}s. */
        BLOCKS,
        /** The blocks' overviews, for a very long session. */
        OVERVIEWS
    }

    /** Keys of one column that get the same values in the rows being appended ({@code source} null: none). */
    private static final class Group {
        final double[] source;
        final List<String> keys = new ArrayList<>();

        Group(double[] source) {
            this.source = source;
        }
    }
}
