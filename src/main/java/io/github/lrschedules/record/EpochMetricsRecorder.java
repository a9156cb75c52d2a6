package io.github.lrschedules.record;

import io.github.lrschedules.internal.Args;
import java.util.Collections;
import java.util.Map;
import org.deeplearning4j.core.storage.StatsStorageRouter;

/**
 * Writes per-epoch metrics of one training session (test accuracy, for instance) into the {@code StatsStorage} that
 * its {@code StatsListener} writes to, as {@link EpochMetricsReport}s with the same session id, so that the Schedules
 * page draws them.
 *
 * <pre>{@code
 * StatsStorage storage = new FileStatsStorage(file);
 * net.setListeners(new StatsListener(storage, 1, "cosine"));
 * EpochMetricsRecorder metrics = new EpochMetricsRecorder(storage, "cosine");
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     net.fit(train);
 *     metrics.recordTestAccuracy(epoch, net.evaluate(test).accuracy());
 * }
 * }</pre>
 *
 * <p>DL4J storages key reports by their millisecond timestamp, and a report stored in the same millisecond as an
 * earlier one of the same session and worker replaces it. This recorder therefore gives each of its reports a
 * timestamp one millisecond after its previous one when the clock has not moved on. Use one recorder per session.
 * Thread-safe.
 */
public final class EpochMetricsRecorder {

    /** Worker id of the reports when none is given. */
    public static final String DEFAULT_WORKER_ID = "epoch-metrics";

    private final StatsStorageRouter router;
    private final String sessionId;
    private final String workerId;
    private long lastTimestamp = Long.MIN_VALUE;
    private boolean headerWritten;

    /** A recorder for {@code sessionId}, with worker id {@value #DEFAULT_WORKER_ID}. */
    public EpochMetricsRecorder(StatsStorageRouter router, String sessionId) {
        this(router, sessionId, DEFAULT_WORKER_ID);
    }

    /**
     * @param router    where the reports go: the {@code StatsStorage} (or remote router) of the session's
     *                  {@code StatsListener}
     * @param sessionId the session id the {@code StatsListener} uses
     * @param workerId  distinguishes several recorders of one session
     * @throws IllegalArgumentException if an argument is null or an id is empty
     */
    public EpochMetricsRecorder(StatsStorageRouter router, String sessionId, String workerId) {
        this.router = Args.notNull("router", router, "pass the StatsStorage of the StatsListener");
        this.sessionId = Args.notEmpty("sessionId", sessionId);
        this.workerId = Args.notEmpty("workerId", workerId);
    }

    /** Records the accuracy on held-out data after {@code epoch} (0 for the first epoch), a fraction in [0, 1]. */
    public void recordTestAccuracy(int epoch, double accuracy) {
        Args.inClosedRange("accuracy", accuracy, 0, 1);
        record(epoch, Collections.singletonMap(EpochMetricsReport.TEST_ACCURACY, accuracy));
    }

    /**
     * Records the metrics measured after {@code epoch}. Recording an epoch again adds a later report; the page shows
     * the latest one.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative or {@code metrics} is null or empty
     */
    public synchronized void record(int epoch, Map<String, Double> metrics) {
        Args.nonNegative("epoch", epoch);
        if (metrics == null || metrics.isEmpty()) {
            throw new IllegalArgumentException("metrics (" + metrics + ") must not be null or empty");
        }
        if (!headerWritten) {
            // Storages list a worker (and so its updates) only once it has static info.
            router.putStaticInfo(new EpochMetricsReport(sessionId, workerId, nextTimestamp(),
                    EpochMetricsReport.HEADER_EPOCH, Collections.emptyMap()));
            headerWritten = true;
        }
        router.putUpdate(new EpochMetricsReport(sessionId, workerId, nextTimestamp(), epoch, metrics));
    }

    private long nextTimestamp() {
        long now = System.currentTimeMillis();
        lastTimestamp = lastTimestamp == Long.MIN_VALUE ? now : Math.max(now, lastTimestamp + 1);
        return lastTimestamp;
    }

    public String getSessionId() {
        return sessionId;
    }

    public String getWorkerId() {
        return workerId;
    }
}
