package io.github.lrschedules.record;

import io.github.lrschedules.internal.Args;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.deeplearning4j.core.storage.Persistable;

/**
 * Metrics of one epoch (test accuracy, for instance) of one training session, stored in a DL4J {@code StatsStorage}
 * beside what {@code StatsListener} records, under its own type id {@value #TYPE_ID} and the same session id, so
 * that the Schedules page of the DL4J UI can draw them next to the learning rate and the score.
 *
 * <p>{@code StatsListener} records no evaluation metrics, so this is this library's convention: write these reports
 * with {@link EpochMetricsRecorder} or {@link TestAccuracyListener}; {@code FileStatsStorage},
 * {@code InMemoryStatsStorage} and the remote UI router store them like any other {@link Persistable}. Metric names
 * are free; the page draws {@value #TEST_ACCURACY}, and {@value #AVERAGED_TEST_ACCURACY} dashed beside it.
 *
 * <p>A report is built once and not changed afterwards; {@link Persistable} obliges it to have a public no-argument
 * constructor and {@code decode} methods that fill it in, which the storages use to read it back.
 */
public final class EpochMetricsReport implements Persistable {

    private static final long serialVersionUID = 1L;

    /** Type id under which the reports are stored. */
    public static final String TYPE_ID = "LrSchedulesEpochMetrics";
    /** Metric name of the accuracy on held-out data, a fraction in [0, 1]. */
    public static final String TEST_ACCURACY = "testAccuracy";
    /**
     * Metric name of the accuracy on the same data at a weight average ({@code WeightAveraging}: EMA, SWA), a fraction
     * in [0, 1].
     */
    public static final String AVERAGED_TEST_ACCURACY = "averagedTestAccuracy";

    private static final int FORMAT_VERSION = 1;
    /** Epoch of the report that {@link EpochMetricsRecorder} stores as static info: no metrics. */
    static final int HEADER_EPOCH = -1;

    private String sessionId;
    private String workerId;
    private long timestamp;
    private int epoch;
    private Map<String, Double> metrics = Collections.emptyMap();

    /** Only for the storages, which create an empty report and {@code decode} into it. */
    public EpochMetricsReport() {
    }

    /**
     * @param metrics metric name to value; copied. Values may be NaN (not measured).
     * @throws IllegalArgumentException if an id is null or empty, or a metric name is null or empty
     */
    public EpochMetricsReport(String sessionId, String workerId, long timestamp, int epoch, Map<String, Double> metrics) {
        this.sessionId = Args.notEmpty("sessionId", sessionId);
        this.workerId = Args.notEmpty("workerId", workerId);
        this.timestamp = timestamp;
        this.epoch = epoch;
        Args.notNull("metrics", metrics);
        TreeMap<String, Double> copy = new TreeMap<>();
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("metric names must not be null or empty, got " + metrics.keySet());
            }
            copy.put(e.getKey(), e.getValue() == null ? Double.NaN : e.getValue());
        }
        this.metrics = Collections.unmodifiableMap(copy);
    }

    /** The epoch the metrics were measured after (0 for the first epoch). */
    public int getEpoch() {
        return epoch;
    }

    /** Metric name to value, sorted by name. */
    public Map<String, Double> getMetrics() {
        return metrics;
    }

    @Override
    public String getSessionID() {
        return sessionId;
    }

    @Override
    public String getTypeID() {
        return TYPE_ID;
    }

    @Override
    public String getWorkerID() {
        return workerId;
    }

    @Override
    public long getTimeStamp() {
        return timestamp;
    }

    @Override
    public int encodingLengthBytes() {
        return encode().length;
    }

    @Override
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * metrics.size());
        try {
            encode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    @Override
    public void encode(ByteBuffer buffer) {
        buffer.put(encode());
    }

    @Override
    public void encode(OutputStream outputStream) throws IOException {
        DataOutputStream out = new DataOutputStream(outputStream);
        out.writeInt(FORMAT_VERSION);
        out.writeUTF(sessionId);
        out.writeUTF(workerId);
        out.writeLong(timestamp);
        out.writeInt(epoch);
        out.writeInt(metrics.size());
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
        out.flush();
    }

    @Override
    public void decode(byte[] decode) {
        try {
            decode(new ByteArrayInputStream(decode));
        } catch (IOException e) {
            throw new IllegalArgumentException("Not an EpochMetricsReport encoding (" + decode.length + " bytes)", e);
        }
    }

    @Override
    public void decode(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        decode(bytes);
    }

    @Override
    public void decode(InputStream inputStream) throws IOException {
        DataInputStream in = new DataInputStream(inputStream);
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException("EpochMetricsReport format version " + version + " is not supported (expected "
                    + FORMAT_VERSION + "); written by a newer dl4j-lr-schedules?");
        }
        String newSession = in.readUTF();
        String newWorker = in.readUTF();
        long newTimestamp = in.readLong();
        int newEpoch = in.readInt();
        int count = in.readInt();
        if (count < 0) {
            throw new EOFException("negative metric count " + count);
        }
        TreeMap<String, Double> newMetrics = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            newMetrics.put(name, in.readDouble());
        }
        sessionId = newSession;
        workerId = newWorker;
        timestamp = newTimestamp;
        epoch = newEpoch;
        metrics = Collections.unmodifiableMap(newMetrics);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EpochMetricsReport)) {
            return false;
        }
        EpochMetricsReport other = (EpochMetricsReport) o;
        return timestamp == other.timestamp && epoch == other.epoch && Objects.equals(sessionId, other.sessionId)
                && Objects.equals(workerId, other.workerId) && metrics.equals(other.metrics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, workerId, timestamp, epoch, metrics);
    }

    @Override
    public String toString() {
        return "EpochMetricsReport{session=" + sessionId + ", worker=" + workerId + ", timestamp=" + timestamp
                + ", epoch=" + epoch + ", metrics=" + metrics + "}";
    }
}
