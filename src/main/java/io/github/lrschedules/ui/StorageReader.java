package io.github.lrschedules.ui;

import io.github.lrschedules.record.EpochMetricsReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>A session is shown if it has {@code StatsListener} reports or {@link EpochMetricsReport}s. Where a session has
 * the exact rows of {@link LearningRateReports} (worker {@link LearningRateReports#WORKER_ID}), the page reads its
 * rates and scores from them alone (every iteration) and ignores {@code StatsListener}'s reports of the same run. Reports are ordered
 * by iteration, one per iteration: when several workers (ParallelWrapper) report the same iteration, the one read
 * last is kept. Storages key reports by millisecond timestamp, so a fast run may miss iterations whose report was
 * replaced by the next one in the same millisecond; the page shows what is stored.
 *
 * <p>DL4J's storages answer {@code getAllUpdatesAfter} by scanning every report of the worker, and
 * {@code FileStatsStorage} reads each from its file (about 1.4 ms per report measured here): asking on every poll
 * would cost a finished long run minutes per poll. DL4J's own storages ({@link BaseCollectionStatsStorage}: in
 * memory, file) announce every write to their listeners, so the reader registers one and reads again only after a
 * write; others are read on every refresh.
 */
final class StorageReader {

    private final StatsStorage storage;
    private final Map<String, Accumulator> sessions = new HashMap<>();
    private long version;
    /** Set by every write the storage announces; null listener: the storage announces none, read every time. */
    private final AtomicBoolean written = new AtomicBoolean(true);
    private final StatsStorageListener listener;
    private List<SessionSeries> last;

    StorageReader(StatsStorage storage) {
        this.storage = storage;
        if (storage instanceof BaseCollectionStatsStorage) {
            listener = event -> written.set(true);
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
     * the storage announced no write since the last call.
     */
    List<SessionSeries> refresh() {
        if (storage.isClosed()) {
            return new ArrayList<>();
        }
        // cleared before reading: a write during the read sets it again, and the next refresh reads that
        if (listener != null && !written.getAndSet(false) && last != null) {
            return last;
        }
        for (String sessionId : storage.listSessionIDs()) {
            List<String> types = storage.listTypeIDsForSession(sessionId);
            boolean stats = types.contains(StatsListener.TYPE_ID);
            boolean metrics = types.contains(EpochMetricsReport.TYPE_ID);
            if (!stats && !metrics) {
                continue;
            }
            Accumulator session = sessions.get(sessionId);
            if (session == null) {
                session = new Accumulator(sessionId);
                sessions.put(sessionId, session);
                version++;
            }
            if (stats) {
                read(session, StatsListener.TYPE_ID, session.lastStatsTimestamp, StorageReader::addStats);
            }
            if (metrics) {
                read(session, EpochMetricsReport.TYPE_ID, session.lastMetricsTimestamp, StorageReader::addMetrics);
            }
            session.sortIfNeeded();
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

    /** Appends a {@code StatsListener} report's iteration, score and learning rates. */
    private static void addStats(Accumulator session, Persistable p) {
        if (p instanceof StatsReport) {
            StatsReport report = (StatsReport) p;
            session.append(report.getIterationCount(), report.getScore(), report.getLearningRates(),
                    report.getTimeStamp());
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

    /** Growable columns of one session. */
    private static final class Accumulator {
        private static final int INITIAL_CAPACITY = 256;

        final String id;
        final Map<String, Long> lastStatsTimestamp = new HashMap<>();
        final Map<String, Long> lastMetricsTimestamp = new HashMap<>();
        final TreeMap<Integer, Map<String, Double>> epochMetrics = new TreeMap<>();
        long firstTimestamp = Long.MAX_VALUE;

        int size;
        int[] iterations = new int[INITIAL_CAPACITY];
        double[] scores = new double[INITIAL_CAPACITY];
        final Map<String, float[]> learningRates = new LinkedHashMap<>();
        boolean unsorted;

        Accumulator(String id) {
            this.id = id;
        }

        void append(int iteration, double score, Map<String, Double> rates, long timestamp) {
            if (size == iterations.length) {
                int capacity = 2 * size;
                iterations = Arrays.copyOf(iterations, capacity);
                scores = Arrays.copyOf(scores, capacity);
                learningRates.replaceAll((k, v) -> Arrays.copyOf(v, capacity));
            }
            if (size > 0 && iteration <= iterations[size - 1]) {
                unsorted = true;
            }
            iterations[size] = iteration;
            scores[size] = score;
            for (float[] column : learningRates.values()) {
                column[size] = Float.NaN;
            }
            if (rates != null) {
                for (Map.Entry<String, Double> e : rates.entrySet()) {
                    float[] column = learningRates.get(e.getKey());
                    if (column == null) {
                        column = new float[iterations.length];
                        Arrays.fill(column, 0, size, Float.NaN);
                        learningRates.put(e.getKey(), column);
                    }
                    column[size] = e.getValue() == null ? Float.NaN : e.getValue().floatValue();
                }
            }
            size++;
            firstTimestamp = Math.min(firstTimestamp, timestamp);
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
            int kept = count;
            int[] newIterations = new int[iterations.length];
            double[] newScores = new double[iterations.length];
            for (int k = 0; k < kept; k++) {
                newIterations[k] = iterations[rows[k]];
                newScores[k] = scores[rows[k]];
            }
            learningRates.replaceAll((key, column) -> {
                float[] sorted = new float[column.length];
                for (int k = 0; k < kept; k++) {
                    sorted[k] = column[rows[k]];
                }
                return sorted;
            });
            iterations = newIterations;
            scores = newScores;
            size = kept;
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
            return new SessionSeries(id, id, size, iterations, scores, learningRates, epochs, metrics);
        }
    }
}
