package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.LoadedData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The arrays a comparison trains and evaluates on: the training set less a held-out split (the last
 * {@code valFraction} of the limited training set, the same for every schedule), and the test set.
 */
public final class PreparedData {

    private final String description;
    private final DigitSet trainDigits;
    private final DigitSet validationDigits;
    private final DigitSet testDigits;
    private final DataSet train;
    private final DataSet validation;
    private final DataSet test;

    private PreparedData(String description, DigitSet train, DigitSet validation, DigitSet test, DataType dataType) {
        this.description = description;
        this.trainDigits = train;
        this.validationDigits = validation;
        this.testDigits = test;
        this.train = train.toDataSet(dataType);
        this.validation = validation == null ? null : validation.toDataSet(dataType);
        this.test = test.toDataSet(dataType);
    }

    /**
     * @param trainLimit  use the first {@code trainLimit} training images (0: all)
     * @param testLimit   use the first {@code testLimit} test images (0: all)
     * @param valFraction held out from the end of the limited training images, in [0, 0.5]
     */
    public static PreparedData of(LoadedData loaded, int trainLimit, int testLimit, double valFraction,
                                  DataType dataType) {
        DigitSet all = loaded.train().limit(trainLimit);
        int held = (int) Math.round(all.size() * valFraction);
        DigitSet train = all.slice("training", 0, all.size() - held);
        DigitSet validation = held == 0 ? null : all.slice("held-out", all.size() - held, all.size());
        DigitSet test = loaded.test().limit(testLimit);
        return new PreparedData(loaded.description(), train, validation, test, dataType);
    }

    public String description() {
        return description;
    }

    public DataSet train() {
        return train;
    }

    /** The held-out split, or null if none. */
    public DataSet validation() {
        return validation;
    }

    public DataSet test() {
        return test;
    }

    public int trainSize() {
        return trainDigits.size();
    }

    public int validationSize() {
        return validationDigits == null ? 0 : validationDigits.size();
    }

    public int testSize() {
        return testDigits.size();
    }

    public int rows() {
        return trainDigits.rows();
    }

    public int columns() {
        return trainDigits.columns();
    }

    /** "7200 training / 800 held-out / 2000 test images". */
    public String sizes() {
        return trainSize() + " training / " + validationSize() + " held-out / " + testSize() + " test images";
    }
}
