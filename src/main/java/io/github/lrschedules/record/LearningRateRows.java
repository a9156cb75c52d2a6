package io.github.lrschedules.record;

import java.util.Collections;
import java.util.List;

/**
 * Rows of applied learning rates, one per training step: what {@link LearningRateRecorder} records in one JVM and
 * what the Spark module's {@code AppliedLearningRates} rebuilds on the driver, so that code reading a run takes
 * either. Every array is a copy of the rows so far.
 */
public interface LearningRateRows {

    /** Number of rows. */
    int size();

    /** Recorded parameter names ({@code 0_W}, {@code 0_b}, ..., as DL4J's {@code StatsListener} names them). */
    List<String> parameterKeys();

    /** The iteration count of each row. */
    int[] iterations();

    /** The epoch count of each row. */
    int[] epochs();

    /** The score of each row. */
    double[] scores();

    /**
     * Learning rates of one parameter, one per row.
     *
     * @throws IllegalArgumentException if {@code parameterKey} was not recorded
     */
    double[] learningRates(String parameterKey);

    /** The iteration count of {@code row}; implementations override this to avoid the copy. */
    default int iteration(int row) {
        return iterations()[row];
    }

    /** The epoch count of {@code row}; implementations override this to avoid the copy. */
    default int epoch(int row) {
        return epochs()[row];
    }

    /** The score of {@code row}; implementations override this to avoid the copy. */
    default double score(int row) {
        return scores()[row];
    }

    /**
     * The rate of the parameter at index {@code p} of {@link #parameterKeys()} at {@code row}; implementations
     * override this to avoid the copy.
     */
    default double learningRate(int p, int row) {
        return learningRates(parameterKeys().get(p))[row];
    }

    /**
     * Keys of the hyperparameter columns recorded beside the rates ({@link Hyperparameter#key(String)}:
     * {@code momentum:0_W}, ...); empty (the default) when none are.
     */
    default List<String> hyperparameterKeys() {
        return Collections.emptyList();
    }

    /**
     * Values of one hyperparameter column, one per row.
     *
     * @throws IllegalArgumentException if {@code columnKey} was not recorded
     */
    default double[] hyperparameters(String columnKey) {
        throw new IllegalArgumentException("columnKey (" + columnKey + ") was not recorded; recorded: "
                + hyperparameterKeys());
    }

    /**
     * The value of the hyperparameter column at index {@code h} of {@link #hyperparameterKeys()} at {@code row};
     * implementations override this to avoid the copy.
     */
    default double hyperparameter(int h, int row) {
        return hyperparameters(hyperparameterKeys().get(h))[row];
    }
}
