package io.github.lrschedules.examples.data;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled images in memory as bytes, as read from IDX files: cheap to slice, converted to ND4J arrays once.
 * Immutable (arrays are not exposed).
 */
public final class DigitSet {

    /** MNIST and its look-alikes have ten classes. */
    public static final int CLASSES = 10;

    private final String name;
    private final int rows;
    private final int columns;
    private final byte[] pixels;
    private final byte[] labels;

    private DigitSet(String name, int rows, int columns, byte[] pixels, byte[] labels) {
        this.name = name;
        this.rows = rows;
        this.columns = columns;
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * Pairs an images file with its labels file.
     *
     * @throws IdxFormatException if the counts differ or a label is not a class 0-9
     */
    public static DigitSet of(String name, IdxReader.Images images, String imagesName, byte[] labels, String labelsName)
            throws IdxFormatException {
        if (images.count() != labels.length) {
            throw new IdxFormatException(name + ": image/label count mismatch: " + imagesName + " holds "
                    + images.count() + " images but " + labelsName + " holds " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label >= CLASSES) {
                throw new IdxFormatException(labelsName + ": label " + label + " at index " + i
                        + " is not a class 0-" + (CLASSES - 1));
            }
        }
        return new DigitSet(name, images.rows(), images.columns(), images.pixels(), labels);
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    public int features() {
        return rows * columns;
    }

    /** The label of example {@code i}, 0-9. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    /** Examples {@code [from, to)}, as a new set named {@code name}. */
    public DigitSet slice(String name, int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") of " + size() + " examples");
        }
        int f = features();
        return new DigitSet(name, rows, columns, Arrays.copyOfRange(pixels, from * f, to * f),
                Arrays.copyOfRange(labels, from, to));
    }

    /** The first {@code limit} examples ({@code limit <= 0} or {@code >= size()}: all). */
    public DigitSet limit(int limit) {
        return limit <= 0 || limit >= size() ? this : slice(name, 0, limit);
    }

    /** Examples per class. */
    public int[] classCounts() {
        int[] counts = new int[CLASSES];
        for (byte label : labels) {
            counts[label & 0xFF]++;
        }
        return counts;
    }

    /**
     * Features {@code [n, rows*columns]} scaled to [0, 1] (pixel / 255, as DL4J's MNIST iterator does) and one-hot
     * labels {@code [n, 10]}, in {@code dataType}.
     */
    public DataSet toDataSet(DataType dataType) {
        int n = size();
        int f = features();
        float[] x = new float[n * f];
        for (int i = 0; i < x.length; i++) {
            x[i] = (pixels[i] & 0xFF) / 255f;
        }
        float[] y = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            y[i * CLASSES + label(i)] = 1f;
        }
        INDArray features = Nd4j.create(x, new long[] {n, f}, DataType.FLOAT);
        INDArray oneHot = Nd4j.create(y, new long[] {n, CLASSES}, DataType.FLOAT);
        if (dataType != DataType.FLOAT) {
            features = features.castTo(dataType);
            oneHot = oneHot.castTo(dataType);
        }
        return new DataSet(features, oneHot);
    }

    /** Bytes of images with values {@code round(v * 255)}, for data that arrives as scaled floats. */
    static DigitSet fromScaled(String name, int rows, int columns, float[] scaled, int[] labelValues) {
        byte[] pixels = new byte[scaled.length];
        for (int i = 0; i < scaled.length; i++) {
            pixels[i] = (byte) Math.round(scaled[i] * 255f);
        }
        byte[] labels = new byte[labelValues.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) labelValues[i];
        }
        return new DigitSet(name, rows, columns, pixels, labels);
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images of " + rows + "x" + columns + ")";
    }
}
