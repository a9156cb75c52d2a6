package io.github.lrschedules.examples.data;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batches of an in-memory data set, in an order that depends only on the seed and the epoch: every schedule of a
 * comparison sees exactly the same batches in the same order. {@link #startEpoch(int)} picks the epoch;
 * {@link #reset()} goes back to the start of the same epoch. The last batch may be smaller.
 */
public final class EpochIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;
    private static final List<String> LABELS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private final INDArray features;
    private final INDArray labels;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final int[] order;
    private int cursor;
    private DataSetPreProcessor preProcessor;

    private EpochIterator(DataSet data, int batchSize, long seed, boolean shuffle) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize (" + batchSize + ") must be > 0");
        }
        if (data.getFeatures().rank() != 2 || data.getLabels().rank() != 2) {
            throw new IllegalArgumentException("features and labels must be matrices, one example per row (got shapes "
                    + java.util.Arrays.toString(data.getFeatures().shape()) + " and "
                    + java.util.Arrays.toString(data.getLabels().shape()) + ")");
        }
        this.features = data.getFeatures();
        this.labels = data.getLabels();
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.order = new int[(int) features.rows()];
        startEpoch(0);
    }

    /** Shuffled anew for every epoch from {@code seed}. */
    public static EpochIterator shuffled(DataSet data, int batchSize, long seed) {
        return new EpochIterator(data, batchSize, seed, true);
    }

    /** In the data's order, for evaluation. */
    public static EpochIterator sequential(DataSet data, int batchSize) {
        return new EpochIterator(data, batchSize, 0L, false);
    }

    /** Orders the examples for {@code epoch} (0-based) and goes to the first batch. */
    public void startEpoch(int epoch) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            // Fisher-Yates with a generator per epoch, so epoch e's order does not depend on what ran before.
            Random random = new Random(seed * 1_000_003L + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        cursor = 0;
    }

    /** Number of examples. */
    public int size() {
        return order.length;
    }

    /** Mini-batches per epoch. */
    public int batchesPerEpoch() {
        return (order.length + batchSize - 1) / batchSize;
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch finished: call reset() or startEpoch(epoch)");
        }
        int n = Math.min(num, order.length - cursor);
        int[] rows = new int[n];
        System.arraycopy(order, cursor, rows, 0, n);
        cursor += n;
        // one gather per array (INDArray.getRows copies row by row: 10x the time, which an MLP's epoch noticed)
        DataSet batch = new DataSet(Nd4j.pullRows(features, 1, rows), Nd4j.pullRows(labels, 1, rows));
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    @Override
    public int inputColumns() {
        return (int) features.columns();
    }

    @Override
    public int totalOutcomes() {
        return (int) labels.columns();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** Prefetching is chosen by the trainer (the profile's {@code prefetch}), not by DL4J. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        cursor = 0;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return LABELS;
    }
}
