package io.github.lrschedules.spark;

import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.internal.Args;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.DataSet;

/**
 * What the {@link SparkTrainingLoop} measures on the driver after each epoch and reports to the plateau listener.
 *
 * <p>{@link #validationLoss(JavaRDD)} is the mean loss over the examples of a validation RDD
 * ({@code calculateScore(rdd, true)}), {@link #validationAccuracy(JavaRDD)} the accuracy on it ({@code evaluate}),
 * both computed by a Spark job with the averaged parameters; {@link #trainingScore()} is Spark's training score of
 * the epoch ({@code getScore()}, the mean of the workers' last mini-batch loss; the driver network's own
 * {@code score()} is 0 after a Spark fit). Build the plateau listener with {@code reported(}{@link #mode()}{@code )}:
 * MIN for the losses, MAX for the accuracy. {@link #onDriver(PlateauTracker.Mode, DriverMeasure)} measures with the
 * caller's own code on the driver's network (a loss on data held in the driver, an evaluation the caller also
 * reports).
 */
public final class SparkMetric {

    enum Kind { VALIDATION_LOSS, VALIDATION_ACCURACY, TRAINING_SCORE, ON_DRIVER }

    /** A measurement the caller makes on the driver's network after each epoch's fit. */
    @FunctionalInterface
    public interface DriverMeasure {
        /** The metric of {@code network} (the driver's, with the averaged parameters) now. */
        double measure(Model network);
    }

    private final Kind kind;
    private final JavaRDD<DataSet> data;
    private final PlateauTracker.Mode mode;
    private final DriverMeasure driverMeasure;

    private SparkMetric(Kind kind, JavaRDD<DataSet> data, PlateauTracker.Mode mode, DriverMeasure driverMeasure) {
        this.kind = kind;
        this.data = data;
        this.mode = mode;
        this.driverMeasure = driverMeasure;
    }

    private SparkMetric(Kind kind, JavaRDD<DataSet> data) {
        this(kind, data, kind == Kind.VALIDATION_ACCURACY ? PlateauTracker.Mode.MAX : PlateauTracker.Mode.MIN, null);
    }

    /**
     * {@code measure} applied to the driver's network after each fit, in this JVM (no Spark job); {@code mode} says
     * which way is better.
     */
    public static SparkMetric onDriver(PlateauTracker.Mode mode, DriverMeasure measure) {
        return new SparkMetric(Kind.ON_DRIVER, null, Args.notNull("mode", mode, "MIN for a loss, MAX for an accuracy"),
                Args.notNull("measure", measure));
    }

    /** Mean loss per example on {@code validationData}; lower is better. */
    public static SparkMetric validationLoss(JavaRDD<DataSet> validationData) {
        return new SparkMetric(Kind.VALIDATION_LOSS, Args.notNull("validationData", validationData));
    }

    /** Accuracy on {@code validationData}, a fraction in [0, 1]; higher is better. */
    public static SparkMetric validationAccuracy(JavaRDD<DataSet> validationData) {
        return new SparkMetric(Kind.VALIDATION_ACCURACY, Args.notNull("validationData", validationData));
    }

    /** Spark's training score of the epoch; lower is better. */
    public static SparkMetric trainingScore() {
        return new SparkMetric(Kind.TRAINING_SCORE, null);
    }

    /** Which way is better: the mode to build the plateau listener with ({@code reported(mode)}). */
    public PlateauTracker.Mode mode() {
        return mode;
    }

    double measure(SparkNet net) {
        switch (kind) {
            case VALIDATION_LOSS:
                return net.loss(data);
            case VALIDATION_ACCURACY:
                return net.accuracy(data);
            case ON_DRIVER:
                return driverMeasure.measure(net.network());
            default:
                return net.score();
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
