package io.github.lrschedules.ui;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.record.LearningRateRows;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.core.storage.Persistable;

/**
 * Consecutive rows of applied learning rates (at most {@link LearningRateReports#BLOCK_ROWS} of them) stored as one
 * DL4J {@link Persistable} under type id {@value #TYPE_ID}: what {@link LearningRateReports} writes into a
 * {@code StatsStorage} and the Schedules page reads. One report per row, as DL4J's {@code StatsReport}, costs a
 * {@code FileStatsStorage} a disk commit and about 840 bytes per row; a block costs one commit per
 * {@value LearningRateReports#BLOCK_ROWS} rows and a few bytes per row.
 *
 * <p>A block holds, per row, the iteration, the epoch, the score, one learning rate per parameter key and one value
 * per hyperparameter column key ({@code momentum:0_W}, as {@link LearningRateRows#hyperparameterKeys()} names them),
 * all in the precision they were recorded in: {@code double}s are stored as 64-bit floats and read back bit for bit
 * (NaN included), unlike {@code StatsReport}, which rounds a learning rate to a 32-bit float. Columns are stored
 * compactly: an integer column as runs of equal steps (consecutive iterations cost a few bytes per block), a double
 * column as runs of equal values where that is shorter (a constant or step-wise rate), and a column equal to an
 * earlier one (every parameter under one schedule) as a reference to it. A column that changes at every row (a
 * cosine rate, a training score) costs 8 bytes per row.
 *
 * <p>An overview ({@link #OVERVIEW_TYPE_ID}, {@link #isOverview()}) holds some rows of a span of a session's rows
 * ({@link LearningRateReports#SPAN_ROWS} consecutive rows, or those recorded so far), exactly as recorded, and the
 * number of rows of the span ({@link #representedRows()}).
 *
 * <p>A block with no rows is the static information a storage needs before it lists a worker. A block is built once
 * and not changed afterwards; {@link Persistable} obliges it to have a public no-argument constructor and
 * {@code decode} methods that fill it in, which the storages use to read it back. As {@link LearningRateRows}, a
 * block gives the rows it holds (copies of its arrays).
 */
public final class LearningRateBlock implements Persistable, LearningRateRows {

    private static final long serialVersionUID = 1L;

    /** Type id under which blocks are stored. */
    public static final String TYPE_ID = "LrSchedulesLearningRateBlock";
    /**
     * Type id of a span's overview: some of the rows of {@link LearningRateReports#SPAN_ROWS} consecutive rows
     * ({@link LearningRateReports#write} keeps a sixteenth, chosen by the Schedules page's rules, and writes it again
     * while the span fills), which the page reads instead of the blocks of a very long session.
     */
    public static final String OVERVIEW_TYPE_ID = "LrSchedulesLearningRateOverview";

    private static final int FORMAT_VERSION = 1;
    private static final byte RAW = 0;
    private static final byte RUNS = 1;
    private static final byte SAME_AS = 2;
    private static final int[] NO_INTS = new int[0];
    private static final double[] NO_DOUBLES = new double[0];

    private String sessionId;
    private String workerId;
    private long timestamp;
    /** Rows of the span this is the overview of; -1 for a block. */
    private int overviewOf = -1;
    private int[] iterations = NO_INTS;
    private int[] epochs = NO_INTS;
    private double[] scores = NO_DOUBLES;
    private List<String> parameterKeys = Collections.emptyList();
    private List<String> hyperparameterKeys = Collections.emptyList();
    /** The rate columns, then the hyperparameter columns; equal columns are one shared array. */
    private double[][] columns = new double[0][];

    /** Only for the storages, which create an empty block and {@code decode} into it. */
    public LearningRateBlock() {
    }

    /**
     * A block of rows {@code fromRow} (inclusive) to {@code toRow} (exclusive) of {@code rows}, copied.
     *
     * @throws IllegalArgumentException if an id is null or empty, {@code rows} is null, or the range is not within
     *                                  {@code [0, rows.size()]}
     */
    public LearningRateBlock(String sessionId, String workerId, long timestamp, LearningRateRows rows, int fromRow,
                             int toRow) {
        this(sessionId, workerId, timestamp, rows, fromRow, toRow, -1);
    }

    /** A block, or ({@code overviewOf >= 0}) the overview of a span of {@code overviewOf} rows. */
    LearningRateBlock(String sessionId, String workerId, long timestamp, LearningRateRows rows, int fromRow,
                      int toRow, int overviewOf) {
        this.overviewOf = overviewOf;
        this.sessionId = Args.notEmpty("sessionId", sessionId);
        this.workerId = Args.notEmpty("workerId", workerId);
        this.timestamp = timestamp;
        Args.notNull("rows", rows);
        Args.inRange("fromRow", fromRow, 0, rows.size());
        Args.inRange("toRow", toRow, fromRow, rows.size());
        int n = toRow - fromRow;
        parameterKeys = Collections.unmodifiableList(new ArrayList<>(rows.parameterKeys()));
        hyperparameterKeys = Collections.unmodifiableList(new ArrayList<>(rows.hyperparameterKeys()));
        iterations = new int[n];
        epochs = new int[n];
        scores = new double[n];
        for (int r = 0; r < n; r++) {
            iterations[r] = rows.iteration(fromRow + r);
            epochs[r] = rows.epoch(fromRow + r);
            scores[r] = rows.score(fromRow + r);
        }
        int rates = parameterKeys.size();
        columns = new double[rates + hyperparameterKeys.size()][];
        for (int c = 0; c < columns.length; c++) {
            double[] column = new double[n];
            for (int r = 0; r < n; r++) {
                column[r] = c < rates ? rows.learningRate(c, fromRow + r) : rows.hyperparameter(c - rates, fromRow + r);
            }
            columns[c] = shareEqual(column, c);
        }
    }

    /** A block with no rows: the static information of a worker. */
    static LearningRateBlock header(String sessionId, String workerId, long timestamp, LearningRateRows rows) {
        return new LearningRateBlock(sessionId, workerId, timestamp, rows, 0, 0);
    }

    /** An overview with no rows: the static information of a worker's overviews. */
    static LearningRateBlock overviewHeader(String sessionId, String workerId, long timestamp, LearningRateRows rows) {
        return new LearningRateBlock(sessionId, workerId, timestamp, rows, 0, 0, 0);
    }

    /** An earlier column equal to {@code column} bit for bit, else {@code column}. */
    private double[] shareEqual(double[] column, int c) {
        for (int earlier = 0; earlier < c; earlier++) {
            if (bitwiseEqual(columns[earlier], column)) {
                return columns[earlier];
            }
        }
        return column;
    }

    private static boolean bitwiseEqual(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToLongBits(a[i]) != Double.doubleToLongBits(b[i])) {
                return false;
            }
        }
        return a.length == b.length;
    }

    @Override
    public int size() {
        return iterations.length;
    }

    @Override
    public List<String> parameterKeys() {
        return parameterKeys;
    }

    @Override
    public List<String> hyperparameterKeys() {
        return hyperparameterKeys;
    }

    @Override
    public int[] iterations() {
        return iterations.clone();
    }

    @Override
    public int[] epochs() {
        return epochs.clone();
    }

    @Override
    public double[] scores() {
        return scores.clone();
    }

    @Override
    public double[] learningRates(String parameterKey) {
        int p = parameterKeys.indexOf(parameterKey);
        if (p < 0) {
            throw new IllegalArgumentException("parameterKey (" + parameterKey + ") is not in this block; it holds "
                    + parameterKeys);
        }
        return columns[p].clone();
    }

    @Override
    public double[] hyperparameters(String columnKey) {
        int h = hyperparameterKeys.indexOf(columnKey);
        if (h < 0) {
            throw new IllegalArgumentException("columnKey (" + columnKey + ") is not in this block; it holds "
                    + hyperparameterKeys);
        }
        return columns[parameterKeys.size() + h].clone();
    }

    @Override
    public int iteration(int row) {
        return iterations[row];
    }

    @Override
    public double score(int row) {
        return scores[row];
    }

    @Override
    public double learningRate(int p, int row) {
        return columns[Args.index("p", p, parameterKeys.size())][row];
    }

    @Override
    public double hyperparameter(int h, int row) {
        return columns[parameterKeys.size() + Args.index("h", h, hyperparameterKeys.size())][row];
    }

    @Override
    public int epoch(int row) {
        return epochs[row];
    }

    /** Whether this is the overview of a span ({@link #OVERVIEW_TYPE_ID}). */
    public boolean isOverview() {
        return overviewOf >= 0;
    }

    /** The rows this block stands for: {@link #size()} for a block, more for an overview. */
    public int representedRows() {
        return overviewOf >= 0 ? overviewOf : size();
    }

    /** Without copying, for the reader: the iterations. */
    int[] iterationArray() {
        return iterations;
    }

    /** Without copying, for the reader: the scores. */
    double[] scoreArray() {
        return scores;
    }

    /**
     * Without copying, for the reader: the column of {@code key} (a parameter key or a hyperparameter column key),
     * one array shared by keys whose values are equal in this block.
     */
    double[][] columnArrays() {
        return columns;
    }

    /** The parameter keys, then the hyperparameter column keys, aligned with {@link #columnArrays()}. */
    List<String> columnKeys() {
        List<String> keys = new ArrayList<>(parameterKeys);
        keys.addAll(hyperparameterKeys);
        return keys;
    }

    @Override
    public String getSessionID() {
        return sessionId;
    }

    @Override
    public String getTypeID() {
        return overviewOf >= 0 ? OVERVIEW_TYPE_ID : TYPE_ID;
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 12 * size() * (1 + columns.length / 4));
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
        writeString(out, sessionId);
        writeString(out, workerId);
        out.writeLong(timestamp);
        out.writeInt(overviewOf);
        out.writeInt(size());
        writeStrings(out, parameterKeys);
        writeStrings(out, hyperparameterKeys);
        writeInts(out, iterations);
        writeInts(out, epochs);
        writeDoubles(out, scores);
        for (int c = 0; c < columns.length; c++) {
            int same = firstSame(c);
            if (same < c) {
                out.writeByte(SAME_AS);
                out.writeInt(same);
            } else {
                writeDoubles(out, columns[c]);
            }
        }
        out.flush();
    }

    private int firstSame(int c) {
        for (int earlier = 0; earlier < c; earlier++) {
            if (columns[earlier] == columns[c]) {
                return earlier;
            }
        }
        return c;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void writeStrings(DataOutputStream out, List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) {
            writeString(out, s);
        }
    }

    /** The first value and runs of equal differences {@code (length, difference)}, or the raw values if shorter. */
    private static void writeInts(DataOutputStream out, int[] values) throws IOException {
        int runs = 0;
        for (int i = 1; i < values.length; i++) {
            if (i == 1 || values[i] - values[i - 1] != values[i - 1] - values[i - 2]) {
                runs++;
            }
        }
        if (values.length == 0 || 4 + 4 + 8L * runs >= 4L * values.length) {
            out.writeByte(RAW);
            for (int v : values) {
                out.writeInt(v);
            }
            return;
        }
        out.writeByte(RUNS);
        out.writeInt(values[0]);
        out.writeInt(runs);
        int i = 1;
        while (i < values.length) {
            int step = values[i] - values[i - 1];
            int end = i + 1;
            while (end < values.length && values[end] - values[end - 1] == step) {
                end++;
            }
            out.writeInt(end - i);
            out.writeInt(step);
            i = end;
        }
    }

    /** Runs of bitwise equal values {@code (length, value)}, or the raw values if shorter. */
    private static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
        int runs = 0;
        for (int i = 0; i < values.length; i++) {
            if (i == 0 || Double.doubleToLongBits(values[i]) != Double.doubleToLongBits(values[i - 1])) {
                runs++;
            }
        }
        if (4 + 12L * runs >= 8L * values.length) {
            out.writeByte(RAW);
            for (double v : values) {
                out.writeDouble(v);
            }
            return;
        }
        out.writeByte(RUNS);
        out.writeInt(runs);
        int i = 0;
        while (i < values.length) {
            int end = i + 1;
            while (end < values.length
                    && Double.doubleToLongBits(values[end]) == Double.doubleToLongBits(values[i])) {
                end++;
            }
            out.writeInt(end - i);
            out.writeDouble(values[i]);
            i = end;
        }
    }

    @Override
    public void decode(byte[] decode) {
        decode(ByteBuffer.wrap(decode));
    }

    @Override
    public void decode(InputStream inputStream) throws IOException {
        decode(inputStream.readAllBytes());
    }

    @Override
    public void decode(ByteBuffer buffer) {
        ByteBuffer in = buffer.slice().order(ByteOrder.BIG_ENDIAN);
        decodeFrom(in);
        buffer.position(buffer.position() + in.position());
    }

    private void decodeFrom(ByteBuffer buffer) {
        int start = buffer.position();
        try {
            int version = buffer.getInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("LearningRateBlock format version " + version
                        + " is not supported (expected " + FORMAT_VERSION + "); written by a newer dl4j-lr-schedules?");
            }
            String newSession = readString(buffer);
            String newWorker = readString(buffer);
            long newTimestamp = buffer.getLong();
            int newOverviewOf = buffer.getInt();
            int n = buffer.getInt();
            if (n < 0) {
                throw new IllegalArgumentException("negative row count " + n);
            }
            List<String> newParameterKeys = readStrings(buffer);
            List<String> newHyperparameterKeys = readStrings(buffer);
            int[] newIterations = readInts(buffer, n);
            int[] newEpochs = readInts(buffer, n);
            double[] newScores = readDoubles(buffer, n);
            double[][] newColumns = new double[newParameterKeys.size() + newHyperparameterKeys.size()][];
            for (int c = 0; c < newColumns.length; c++) {
                buffer.mark();
                if (buffer.get() == SAME_AS) {
                    int same = buffer.getInt();
                    if (same < 0 || same >= c) {
                        throw new IllegalArgumentException("column " + c + " refers to column " + same);
                    }
                    newColumns[c] = newColumns[same];
                } else {
                    buffer.reset();
                    newColumns[c] = readDoubles(buffer, n);
                }
            }
            sessionId = newSession;
            workerId = newWorker;
            timestamp = newTimestamp;
            overviewOf = newOverviewOf;
            iterations = newIterations;
            epochs = newEpochs;
            scores = newScores;
            parameterKeys = newParameterKeys;
            hyperparameterKeys = newHyperparameterKeys;
            columns = newColumns;
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("Not a LearningRateBlock encoding (" + (buffer.limit() - start)
                    + " bytes)", e);
        }
    }

    private static String readString(ByteBuffer in) {
        byte[] utf8 = new byte[in.getInt()];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static List<String> readStrings(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0) {
            throw new IllegalArgumentException("negative key count " + count);
        }
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(readString(in));
        }
        return Collections.unmodifiableList(strings);
    }

    private static int[] readInts(ByteBuffer in, int n) {
        int[] values = new int[n];
        byte mode = in.get();
        if (mode == RAW) {
            in.asIntBuffer().get(values);
            in.position(in.position() + 4 * n);
            return values;
        }
        checkMode(mode, RUNS);
        values[0] = in.getInt();
        int runs = in.getInt();
        int i = 1;
        for (int r = 0; r < runs; r++) {
            int length = in.getInt();
            int step = in.getInt();
            if (length <= 0 || length > n - i) {
                throw new IllegalArgumentException("run of " + length + " rows at row " + i + " of " + n);
            }
            for (int end = i + length; i < end; i++) {
                values[i] = values[i - 1] + step;
            }
        }
        checkFilled(i, n);
        return values;
    }

    private static double[] readDoubles(ByteBuffer in, int n) {
        double[] values = new double[n];
        byte mode = in.get();
        if (mode == RAW) {
            in.asDoubleBuffer().get(values);
            in.position(in.position() + 8 * n);
            return values;
        }
        checkMode(mode, RUNS);
        int runs = in.getInt();
        int i = 0;
        for (int r = 0; r < runs; r++) {
            int length = in.getInt();
            double value = in.getDouble();
            if (length <= 0 || length > n - i) {
                throw new IllegalArgumentException("run of " + length + " rows at row " + i + " of " + n);
            }
            Arrays.fill(values, i, i + length, value);
            i += length;
        }
        checkFilled(i, n);
        return values;
    }

    private static void checkMode(byte mode, byte expected) {
        if (mode != expected) {
            throw new IllegalArgumentException("unknown column encoding " + mode);
        }
    }

    private static void checkFilled(int filled, int n) {
        if (filled != n && n > 0) {
            throw new IllegalArgumentException("runs cover " + filled + " of " + n + " rows");
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LearningRateBlock)) {
            return false;
        }
        LearningRateBlock other = (LearningRateBlock) o;
        if (timestamp != other.timestamp || overviewOf != other.overviewOf
                || !Objects.equals(sessionId, other.sessionId) || !Objects.equals(workerId, other.workerId)
                || !Arrays.equals(iterations, other.iterations) || !Arrays.equals(epochs, other.epochs)
                || !Arrays.equals(scores, other.scores)
                || !parameterKeys.equals(other.parameterKeys) || !hyperparameterKeys.equals(other.hyperparameterKeys)) {
            return false;
        }
        for (int c = 0; c < columns.length; c++) {
            if (!Arrays.equals(columns[c], other.columns[c])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(sessionId, workerId, timestamp, overviewOf, parameterKeys, hyperparameterKeys);
        h = 31 * h + Arrays.hashCode(iterations);
        h = 31 * h + Arrays.hashCode(scores);
        for (double[] column : columns) {
            h = 31 * h + Arrays.hashCode(column);
        }
        return h;
    }

    @Override
    public String toString() {
        return "LearningRateBlock{session=" + sessionId + ", worker=" + workerId + ", timestamp=" + timestamp
                + (overviewOf >= 0 ? ", overview of " + overviewOf + " rows" : "") + ", rows=" + size()
                + (size() == 0 ? "" : " (iterations " + iterations[0] + ".." + iterations[size() - 1] + ")")
                + ", parameters=" + parameterKeys + ", hyperparameters=" + hyperparameterKeys + "}";
    }
}
