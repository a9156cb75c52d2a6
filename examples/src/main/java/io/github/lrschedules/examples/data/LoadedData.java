package io.github.lrschedules.examples.data;

/** Training and test digits as loaded, with a one-line description of where they came from. */
public final class LoadedData {

    private final DataSource source;
    private final DigitSet train;
    private final DigitSet test;
    private final String description;

    LoadedData(DataSource source, DigitSet train, DigitSet test, String description) {
        if (train.rows() != test.rows() || train.columns() != test.columns()) {
            throw new IllegalArgumentException("training images are " + train.rows() + "x" + train.columns()
                    + " but test images are " + test.rows() + "x" + test.columns());
        }
        this.source = source;
        this.train = train;
        this.test = test;
        this.description = description;
    }

    public DataSource source() {
        return source;
    }

    public DigitSet train() {
        return train;
    }

    public DigitSet test() {
        return test;
    }

    public String description() {
        return description;
    }
}
