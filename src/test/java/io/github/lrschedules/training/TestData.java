package io.github.lrschedules.training;

import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small deterministic classification data for real-training tests: Gaussian blobs, one per class, built from a
 * fixed seed, served in a fixed order (no shuffling) by a {@link ListDataSetIterator}.
 */
public final class TestData {

    public static final int EXAMPLES = 256;
    public static final int BATCH_SIZE = 32;
    public static final int ITERATIONS_PER_EPOCH = EXAMPLES / BATCH_SIZE;
    public static final int FEATURES = 20;
    /** Features of the CNN input: an 8x8 single-channel "image", flattened. */
    public static final int IMAGE_FEATURES = 8 * 8;
    public static final int CLASSES = 3;

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
}
