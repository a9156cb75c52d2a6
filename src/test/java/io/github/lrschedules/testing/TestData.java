package io.github.lrschedules.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small deterministic classification data for real-training tests, built from fixed seeds and served in a fixed
 * order (no shuffling) by a {@link ListDataSetIterator}. Two data sets, for two kinds of test:
 * <ul>
 *   <li>clean Gaussian blobs, {@value #CLASSES} classes in {@value #FEATURES} dimensions (or 8x8 "images"), that a
 *       network learns steadily: schedules, recorder, finder, UI;</li>
 *   <li>{@link #noisyBlobs}: {@value #NOISY_CLASSES} overlapping blobs in {@value #NOISY_FEATURES} dimensions with
 *       20% label noise, whose loss improves for a few epochs and then stalls: what a plateau rule is for.</li>
 * </ul>
 */
public final class TestData {

    public static final int EXAMPLES = 256;
    public static final int BATCH_SIZE = 32;
    public static final int ITERATIONS_PER_EPOCH = EXAMPLES / BATCH_SIZE;
    public static final int FEATURES = 20;
    /** Features of the CNN input: an 8x8 single-channel "image", flattened. */
    public static final int IMAGE_FEATURES = 8 * 8;
    public static final int CLASSES = 3;
    /** Features and classes of {@link #noisyBlobs}. */
    public static final int NOISY_FEATURES = 10;
    public static final int NOISY_CLASSES = 4;

    private TestData() {
    }

    /** Blobs in {@value #FEATURES} dimensions, double precision. */
    public static DataSetIterator blobs() {
        return iterator(blobs(FEATURES, 12345L));
    }

    /** Blobs in 64 dimensions, read by the CNN as 8x8x1 images. */
    public static DataSetIterator images() {
        return iterator(blobs(IMAGE_FEATURES, 54321L));
    }

    public static DataSetIterator iterator(DataSet all) {
        return new ListDataSetIterator<>(all.asList(), BATCH_SIZE);
    }

    /**
     * {@link #EXAMPLES} points, class {@code i % CLASSES} for point {@code i}, each a unit Gaussian around its
     * class centre; centres are drawn with spread 1.5 so that the classes overlap a little and gradients stay
     * non-zero for the whole (short) training.
     */
    public static DataSet blobs(int dims, long seed) {
        Random random = new Random(seed);
        double[][] centres = new double[CLASSES][dims];
        for (double[] centre : centres) {
            for (int d = 0; d < dims; d++) {
                centre[d] = 1.5 * random.nextGaussian();
            }
        }
        double[][] features = new double[EXAMPLES][dims];
        double[][] labels = new double[EXAMPLES][CLASSES];
        for (int i = 0; i < EXAMPLES; i++) {
            int label = i % CLASSES;
            for (int d = 0; d < dims; d++) {
                features[i][d] = centres[label][d] + random.nextGaussian();
            }
            labels[i][label] = 1.0;
        }
        return new DataSet(Nd4j.create(features).castTo(DataType.DOUBLE), Nd4j.create(labels).castTo(DataType.DOUBLE));
    }

    /**
     * Four overlapping Gaussian blobs with 20% label noise: the loss improves for a few epochs and then stalls, which
     * is what a plateau rule is for. One {@code DataSet} per example.
     */
    public static List<DataSet> noisyBlobs(int examples, long seed) {
        Random random = new Random(seed);
        double[][] centres = new double[NOISY_CLASSES][NOISY_FEATURES];
        Random centreRandom = new Random(42);
        for (double[] c : centres) {
            for (int f = 0; f < NOISY_FEATURES; f++) {
                c[f] = centreRandom.nextGaussian();
            }
        }
        List<DataSet> list = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            int cls = random.nextInt(NOISY_CLASSES);
            INDArray x = Nd4j.create(DataType.DOUBLE, 1, NOISY_FEATURES);
            for (int f = 0; f < NOISY_FEATURES; f++) {
                x.putScalar(0, f, centres[cls][f] + 0.9 * random.nextGaussian());
            }
            int label = random.nextDouble() < 0.2 ? random.nextInt(NOISY_CLASSES) : cls;
            INDArray y = Nd4j.zeros(DataType.DOUBLE, 1, NOISY_CLASSES);
            y.putScalar(0, label, 1.0);
            list.add(new DataSet(x, y));
        }
        return list;
    }

    /** {@code examples} in mini-batches of {@code batch}, in order. */
    public static ListDataSetIterator<DataSet> iterator(List<DataSet> examples, int batch) {
        return new ListDataSetIterator<>(examples, batch);
    }
}
