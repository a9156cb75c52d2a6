package io.github.lrschedules.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The first images of the MNIST subset that the examples bundle (real handwritten digits, IDX files under
 * {@code examples/src/main/resources/.../data/mnist-subset}, see its NOTICE), read from the repository checkout:
 * 784 pixels scaled to [0, 1] and one-hot labels, double precision, in file order.
 */
public final class MnistSubset {

    public static final int PIXELS = 28 * 28;
    public static final int CLASSES = 10;

    private static final Path DIR = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")))
            .resolve("examples/src/main/resources/io/github/lrschedules/examples/data/mnist-subset");

    private MnistSubset() {
    }

    /** The first {@code count} training images. */
    public static DataSet train(int count) {
        try {
            byte[] pixels = read("train-images-idx3-ubyte.gz", 2051, count, PIXELS);
            byte[] labels = read("train-labels-idx1-ubyte.gz", 2049, count, 1);
            double[][] features = new double[count][PIXELS];
            double[][] oneHot = new double[count][CLASSES];
            for (int i = 0; i < count; i++) {
                for (int p = 0; p < PIXELS; p++) {
                    features[i][p] = (pixels[i * PIXELS + p] & 0xFF) / 255.0;
                }
                oneHot[i][labels[i]] = 1.0;
            }
            return new DataSet(Nd4j.create(features).castTo(DataType.DOUBLE), Nd4j.create(oneHot).castTo(DataType.DOUBLE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled MNIST subset in " + DIR, e);
        }
    }

    private static byte[] read(String file, int magic, int count, int itemBytes) throws IOException {
        try (InputStream raw = Files.newInputStream(DIR.resolve(file));
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            int actualMagic = in.readInt();
            if (actualMagic != magic) {
                throw new IOException(file + ": magic " + actualMagic + ", expected " + magic);
            }
            int items = in.readInt();
            if (items < count) {
                throw new IOException(file + " holds " + items + " items, fewer than " + count);
            }
            for (int d = 1; d < (magic & 0xFF); d++) {
                in.readInt(); // rows, columns
            }
            byte[] data = new byte[count * itemBytes];
            in.readFully(data);
            return data;
        }
    }
}
