package io.github.lrschedules.record;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.AtomicFiles;
import io.github.lrschedules.internal.Networks;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The applied learning rates of a run, one row per training step ({@code iteration, epoch, score} and a rate per
 * parameter): the one store behind {@link LearningRateRecorder} and the Spark module's {@code AppliedLearningRates}.
 *
 * <p>Memory is bounded by what changes, not by the number of parameters: parameters whose rates have been equal at
 * every row so far share one column, and a column is split only on the first row where its parameters differ (a
 * per-layer rate, a plateau reduction of one layer). A network whose parameters all follow one schedule costs
 * {@value #BYTES_PER_ROW_AND_COLUMN} bytes per row for that column plus 16 for iteration, epoch and score: 24 bytes
 * per iteration whether it has 6 parameter arrays or 160 (10^6 iterations: 24 MB, where a double per parameter
 * would be 1.3 GB for 160 arrays). Storage grows in chunks of {@value #CHUNK} rows, so growing never copies what is
 * stored. {@link #streamTo(Path)} writes every row to a CSV instead and keeps none in memory.
 *
 * <p>Parameters are named as in {@code model.paramTable()} and DL4J's {@code StatsListener}: {@code "0_W"},
 * {@code "0_b"} in a {@code MultiLayerNetwork}, {@code "<layerName>_W"} in a {@code ComputationGraph}
 * ({@link #updatersByKey}). Beside the rates a table may hold hyperparameter columns ({@link Hyperparameter}:
 * {@code momentum:0_W}, {@code weightDecay:0_W}, ...), stored the same way (a momentum that every parameter shares is
 * one column) and written after the rates in the CSV; a table without them writes the CSV it always wrote. Equality of
 * rates is bitwise ({@code Double.compare}), so the stored values are exactly
 * the appended ones, NaN included.
 *
 * <p>Not thread-safe: {@link LearningRateRecorder} synchronizes around it. Serializable (the Spark training loop keeps
 * it in its checkpoint); a streaming table is not.
 */
public final class LearningRateTable implements LearningRateRows, Serializable {

    private static final long serialVersionUID = 1L;

    /** Rows per storage chunk. */
    static final int CHUNK = 4096;
    /** Bytes a row costs per column. */
    public static final int BYTES_PER_ROW_AND_COLUMN = 8;
    /** Bytes a row costs besides its columns: iteration, epoch (int each) and score (double). */
    public static final int BYTES_PER_ROW = 16;

    private List<String> keys = Collections.emptyList();
    /** Keys of the hyperparameter columns ({@code momentum:0_W}); null in a table serialized before they existed. */
    private List<String> hyperparameterKeys = Collections.emptyList();
    private int size;
    private final IntChunks iterations = new IntChunks();
    private final IntChunks epochs = new IntChunks();
    private final DoubleChunks scores = new DoubleChunks();
    /** The column each parameter's rates are stored in. */
    private int[] columnOf = new int[0];
    private final List<DoubleChunks> columns = new ArrayList<>();

    private transient Path streamFile;
    private transient Writer stream;
    /** Per column, during one append: the value of this row, and the columns split off it in this row. */
    private transient double[] rowValue;
    private transient boolean[] rowSet;
    private static final double[] NONE = new double[0];

    /**
     * The parameters of {@code model} whose updater has a learning rate, by key, in the model's order: the one rule
     * for naming and choosing recorded parameters (frozen layers and AdaDelta have no learning rate).
     */
    public static Map<String, IUpdater> updatersByKey(Model model) {
        Map<String, IUpdater> result = new LinkedHashMap<>();
        for (Layer layer : Networks.layers(model)) {
            for (String param : layer.paramTable(false).keySet()) {
                IUpdater updater = Networks.updater(layer, param);
                if (updater != null && updater.hasLearningRate()) {
                    result.put(key(model, layer, param), updater);
                }
            }
        }
        return result;
    }

    /** The key of parameter {@code param} of {@code layer}: {@code "0_W"}, or {@code "<layerName>_W"} in a graph. */
    public static String key(Model model, Layer layer, String param) {
        return Networks.of(model).parameterKey(layer, param);
    }

    /**
     * Sets the parameter keys of the table; only before the first row, or with the same keys again.
     *
     * @throws IllegalStateException if rows were appended for other keys
     */
    public void keys(List<String> parameterKeys) {
        keys(parameterKeys, Collections.emptyList());
    }

    /**
     * Sets the parameter keys and the hyperparameter column keys ({@link Hyperparameter#key(String)}); only before
     * the first row, or with the same keys again.
     *
     * @throws IllegalStateException if rows were appended for other keys
     */
    public void keys(List<String> parameterKeys, List<String> hyperparameterColumnKeys) {
        Args.notNull("parameterKeys", parameterKeys);
        Args.notNull("hyperparameterColumnKeys", hyperparameterColumnKeys);
        if (parameterKeys.equals(keys) && hyperparameterColumnKeys.equals(hyperparameterKeys())) {
            return;
        }
        if (size > 0) {
            throw new IllegalStateException("recorded parameters " + keys + " " + hyperparameterKeys()
                    + " and cannot continue on a model with parameters " + parameterKeys + " "
                    + hyperparameterColumnKeys + "; use a new table");
        }
        keys = Collections.unmodifiableList(new ArrayList<>(parameterKeys));
        hyperparameterKeys = Collections.unmodifiableList(new ArrayList<>(hyperparameterColumnKeys));
        columnOf = new int[keys.size() + hyperparameterKeys.size()];
        columns.clear();
        if (columnOf.length > 0) {
            columns.add(new DoubleChunks());
        }
    }

    /**
     * Appends one row.
     *
     * @param rates one learning rate per parameter key, in the order of {@link #parameterKeys()} (not kept)
     * @throws IllegalArgumentException if {@code rates} does not have one value per key
     * @throws UncheckedIOException     if the row cannot be written to the stream of {@link #streamTo(Path)}
     */
    public void append(int iteration, int epoch, double score, double[] rates) {
        append(iteration, epoch, score, rates, NONE);
    }

    /**
     * Appends one row with hyperparameter values.
     *
     * @param rates           one learning rate per parameter key (not kept)
     * @param hyperparameters one value per hyperparameter column key, in the order of {@link #hyperparameterKeys()}
     *                        (not kept)
     * @throws IllegalArgumentException if an array does not have one value per key
     * @throws UncheckedIOException     if the row cannot be written to the stream of {@link #streamTo(Path)}
     */
    public void append(int iteration, int epoch, double score, double[] rates, double[] hyperparameters) {
        if (rates.length != keys.size()) {
            throw new IllegalArgumentException("rates has " + rates.length + " values for " + keys.size()
                    + " parameters " + keys);
        }
        List<String> hyperKeys = hyperparameterKeys();
        if (hyperparameters.length != hyperKeys.size()) {
            throw new IllegalArgumentException("hyperparameters has " + hyperparameters.length + " values for "
                    + hyperKeys.size() + " columns " + hyperKeys);
        }
        if (stream != null) {
            writeRow(iteration, epoch, score, rates, hyperparameters);
            size++;
            return;
        }
        int row = size;
        iterations.set(row, iteration);
        epochs.set(row, epoch);
        scores.set(row, score);
        int existing = columns.size();
        if (rowValue == null || rowValue.length < existing) {
            rowValue = new double[Math.max(existing, 4) * 2];
            rowSet = new boolean[rowValue.length];
        }
        Arrays.fill(rowSet, 0, existing, false);
        for (int p = 0; p < rates.length; p++) {
            store(p, row, rates[p], existing);
        }
        for (int h = 0; h < hyperparameters.length; h++) {
            store(rates.length + h, row, hyperparameters[h], existing);
        }
        size++;
    }

    /** Stores the value of key index {@code k} (rates first, then hyperparameters) at {@code row}. */
    private void store(int k, int row, double value, int existing) {
        int c = columnOf[k];
        if (!rowSet[c]) {
            rowSet[c] = true;
            rowValue[c] = value;
            columns.get(c).set(row, value);
        } else if (Double.compare(rowValue[c], value) != 0) {
            columnOf[k] = split(c, row, value, existing);
        }
    }

    /**
     * The column for a parameter of column {@code from} whose rate at {@code row} is {@code value} while the column's
     * is another: a column split off {@code from} in this row with that value, or a new one with {@code from}'s
     * history.
     */
    private int split(int from, int row, double value, int existing) {
        for (int c = existing; c < columns.size(); c++) {
            DoubleChunks candidate = columns.get(c);
            if (candidate.parent == from && Double.compare(candidate.get(row), value) == 0) {
                return c;
            }
        }
        DoubleChunks copy = columns.get(from).copyUpTo(row);
        copy.parent = from;
        copy.set(row, value);
        columns.add(copy);
        return columns.size() - 1;
    }

    /**
     * From now on writes every appended row to {@code file} as CSV ({@link #writeCsv(Writer)}'s format: the header,
     * then the rows held so far, then each new row) and keeps no rows in memory; {@link #flush()} makes the file
     * current, {@link #close()} ends it. The array accessors then refuse.
     *
     * @throws IOException if the file cannot be written
     */
    public void streamTo(Path file) throws IOException {
        Args.notNull("file", file);
        if (stream != null) {
            throw new IllegalStateException("rows already stream to " + streamFile);
        }
        Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
        writeCsv(out);
        stream = out;
        streamFile = file;
        iterations.clear();
        epochs.clear();
        scores.clear();
        for (DoubleChunks column : columns) {
            column.clear();
        }
    }

    /** Writes buffered streamed rows to the file (no-op when not streaming). */
    public void flush() throws IOException {
        if (stream != null) {
            stream.flush();
        }
    }

    /** Ends streaming: flushes and closes the file (no-op when not streaming). */
    public void close() throws IOException {
        if (stream != null) {
            try {
                stream.close();
            } finally {
                stream = null;
            }
        }
    }

    private void writeRow(int iteration, int epoch, double score, double[] rates, double[] hyperparameters) {
        try {
            LearningRateCsv.row(stream, iteration, epoch, score, rates, hyperparameters);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a learning-rate row to " + streamFile, e);
        }
    }

    private void checkInMemory() {
        if (streamFile != null) {
            throw new IllegalStateException("the rows were streamed to " + streamFile + ": read that CSV");
        }
    }

    /** Number of rows appended (streamed ones included). */
    @Override
    public int size() {
        return size;
    }

    /** The parameter keys, in the order of the rates of a row and of the CSV columns. */
    @Override
    public List<String> parameterKeys() {
        return keys;
    }

    /**
     * The hyperparameter column keys ({@code momentum:0_W}, ...), in the order of a row's hyperparameter values and
     * of the CSV columns after the rates; empty when none are recorded.
     */
    @Override
    public List<String> hyperparameterKeys() {
        return hyperparameterKeys == null ? Collections.emptyList() : hyperparameterKeys;
    }

    /**
     * The values of one hyperparameter column, one per row (a copy).
     *
     * @param columnKey a key of {@link #hyperparameterKeys()}, such as {@code "momentum:0_W"}
     * @throws IllegalArgumentException if {@code columnKey} was not recorded
     * @throws IllegalStateException    if the rows were streamed to a file
     */
    @Override
    public double[] hyperparameters(String columnKey) {
        int h = hyperparameterKeys().indexOf(columnKey);
        if (h < 0) {
            throw new IllegalArgumentException("columnKey (" + columnKey + ") was not recorded; recorded: "
                    + hyperparameterKeys());
        }
        checkInMemory();
        return columns.get(columnOf[keys.size() + h]).toArray(size);
    }

    @Override
    public double hyperparameter(int h, int row) {
        checkInMemory();
        Args.index("row", row, size);
        return columns.get(columnOf[keys.size() + Args.index("h", h, hyperparameterKeys().size())]).get(row);
    }

    /** Number of distinct value columns stored (1 when every parameter follows one schedule). */
    public int columnCount() {
        return columns.size();
    }

    /** Bytes the stored rows take: {@link #BYTES_PER_ROW} plus 8 per column, per row (without chunk slack). */
    public long storedBytes() {
        return streamFile != null ? 0 : (long) size * (BYTES_PER_ROW + (long) BYTES_PER_ROW_AND_COLUMN * columns.size());
    }

    @Override
    public int[] iterations() {
        checkInMemory();
        return iterations.toArray(size);
    }

    @Override
    public int[] epochs() {
        checkInMemory();
        return epochs.toArray(size);
    }

    @Override
    public double[] scores() {
        checkInMemory();
        return scores.toArray(size);
    }

    /**
     * @throws IllegalArgumentException if {@code parameterKey} was not recorded
     * @throws IllegalStateException    if the rows were streamed to a file
     */
    @Override
    public double[] learningRates(String parameterKey) {
        int p = keys.indexOf(parameterKey);
        if (p < 0) {
            throw new IllegalArgumentException("parameterKey (" + parameterKey + ") was not recorded; recorded: " + keys);
        }
        checkInMemory();
        return columns.get(columnOf[p]).toArray(size);
    }

    @Override
    public double learningRate(int p, int row) {
        checkInMemory();
        Args.index("row", row, size);
        return columns.get(columnOf[Args.index("p", p, keys.size())]).get(row);
    }

    @Override
    public int iteration(int row) {
        checkInMemory();
        return iterations.get(Args.index("row", row, size));
    }

    /** The epoch of {@code row}. */
    @Override
    public int epoch(int row) {
        checkInMemory();
        return epochs.get(Args.index("row", row, size));
    }

    @Override
    public double score(int row) {
        checkInMemory();
        return scores.get(Args.index("row", row, size));
    }

    /** Forgets every row and the keys. */
    public void clear() {
        checkInMemory();
        size = 0;
        keys = Collections.emptyList();
        hyperparameterKeys = Collections.emptyList();
        columnOf = new int[0];
        columns.clear();
        iterations.clear();
        epochs.clear();
        scores.clear();
    }

    /** Writes the CSV (header and every row) beside {@code file} and moves it into place once complete. */
    public void writeCsv(Path file) throws IOException {
        AtomicFiles.writeText(file, this::writeCsv);
    }

    /**
     * Writes {@code iteration,epoch,score,<param>...}, then the hyperparameter columns ({@code momentum:0_W}, ...)
     * if any, one row per step, to {@code out}.
     */
    public void writeCsv(Writer out) throws IOException {
        checkInMemory();
        List<String> hyperKeys = hyperparameterKeys();
        LearningRateCsv.header(out, keys, hyperKeys);
        double[] rates = new double[keys.size()];
        double[] hyper = new double[hyperKeys.size()];
        for (int r = 0; r < size; r++) {
            for (int p = 0; p < rates.length; p++) {
                rates[p] = columns.get(columnOf[p]).get(r);
            }
            for (int h = 0; h < hyper.length; h++) {
                hyper[h] = columns.get(columnOf[rates.length + h]).get(r);
            }
            LearningRateCsv.row(out, iterations.get(r), epochs.get(r), scores.get(r), rates, hyper);
        }
    }

    /** Ints in chunks of {@link #CHUNK}: growing adds a chunk and never copies the stored values. */
    static final class IntChunks implements Serializable {
        private static final long serialVersionUID = 1L;
        private int[][] chunks = new int[0][];

        void set(int index, int value) {
            int chunk = index / CHUNK;
            if (chunk >= chunks.length) {
                chunks = Arrays.copyOf(chunks, Math.max(chunk + 1, chunks.length * 2));
            }
            if (chunks[chunk] == null) {
                chunks[chunk] = new int[CHUNK];
            }
            chunks[chunk][index % CHUNK] = value;
        }

        int get(int index) {
            return chunks[index / CHUNK][index % CHUNK];
        }

        int[] toArray(int size) {
            int[] out = new int[size];
            for (int start = 0, c = 0; start < size; start += CHUNK, c++) {
                System.arraycopy(chunks[c], 0, out, start, Math.min(CHUNK, size - start));
            }
            return out;
        }

        void clear() {
            chunks = new int[0][];
        }
    }

    /** Doubles in chunks of {@link #CHUNK}; {@code parent} is the column a split column came from (-1: none). */
    static final class DoubleChunks implements Serializable {
        private static final long serialVersionUID = 1L;
        private double[][] chunks = new double[0][];
        int parent = -1;

        void set(int index, double value) {
            int chunk = index / CHUNK;
            if (chunk >= chunks.length) {
                chunks = Arrays.copyOf(chunks, Math.max(chunk + 1, chunks.length * 2));
            }
            if (chunks[chunk] == null) {
                chunks[chunk] = new double[CHUNK];
            }
            chunks[chunk][index % CHUNK] = value;
        }

        double get(int index) {
            return chunks[index / CHUNK][index % CHUNK];
        }

        /** A new column holding rows {@code 0 .. rows-1} of this one. */
        DoubleChunks copyUpTo(int rows) {
            DoubleChunks copy = new DoubleChunks();
            int full = (rows + CHUNK - 1) / CHUNK;
            copy.chunks = new double[Math.max(full, 1)][];
            for (int c = 0; c < full; c++) {
                copy.chunks[c] = chunks[c].clone();
            }
            return copy;
        }

        double[] toArray(int size) {
            double[] out = new double[size];
            for (int start = 0, c = 0; start < size; start += CHUNK, c++) {
                System.arraycopy(chunks[c], 0, out, start, Math.min(CHUNK, size - start));
            }
            return out;
        }

        void clear() {
            chunks = new double[0][];
            parent = -1;
        }
    }
}
