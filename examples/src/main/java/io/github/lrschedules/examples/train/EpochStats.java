package io.github.lrschedules.examples.train;

import java.io.Serializable;

/** Measurements at the end of one epoch. */
public final class EpochStats implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final double learningRate;
    private final double trainLoss;
    private final double validationLoss;
    private final double validationAccuracy;
    private final double testLoss;
    private final double testAccuracy;
    private final double seconds;
    private final double trainSeconds;
    /** Null without weight averaging (and in records written before it existed); NaN before the first average. */
    private final Double averagedTestLoss;
    private final Double averagedTestAccuracy;

    /**
     * @param epoch        from 0, as DL4J counts epochs
     * @param learningRate the learning rate of the epoch's last iteration
     * @param trainLoss    mean mini-batch loss over the epoch
     * @param seconds      since the start of the run
     * @param trainSeconds spent training in this epoch (without evaluation)
     */
    public EpochStats(int epoch, double learningRate, double trainLoss, double validationLoss,
                      double validationAccuracy, double testLoss, double testAccuracy, double seconds,
                      double trainSeconds) {
        this(epoch, learningRate, trainLoss, validationLoss, validationAccuracy, testLoss, testAccuracy, seconds,
                trainSeconds, null, null);
    }

    /**
     * As above, with the test loss and accuracy at the averaged weights ({@code compare --average}): NaN while there
     * is no average yet (SWA before its start epoch), null for a run without weight averaging.
     */
    public EpochStats(int epoch, double learningRate, double trainLoss, double validationLoss,
                      double validationAccuracy, double testLoss, double testAccuracy, double seconds,
                      double trainSeconds, Double averagedTestLoss, Double averagedTestAccuracy) {
        this.epoch = epoch;
        this.learningRate = learningRate;
        this.trainLoss = trainLoss;
        this.validationLoss = validationLoss;
        this.validationAccuracy = validationAccuracy;
        this.testLoss = testLoss;
        this.testAccuracy = testAccuracy;
        this.seconds = seconds;
        this.trainSeconds = trainSeconds;
        this.averagedTestLoss = averagedTestLoss;
        this.averagedTestAccuracy = averagedTestAccuracy;
    }

    public int epoch() {
        return epoch;
    }

    public double learningRate() {
        return learningRate;
    }

    public double trainLoss() {
        return trainLoss;
    }

    /** NaN without a held-out split. */
    public double validationLoss() {
        return validationLoss;
    }

    /** NaN without a held-out split. */
    public double validationAccuracy() {
        return validationAccuracy;
    }

    public double testLoss() {
        return testLoss;
    }

    public double testAccuracy() {
        return testAccuracy;
    }

    /** Since the start of the run, evaluations included. */
    public double seconds() {
        return seconds;
    }

    /** Spent in {@code fit} during this epoch: training alone, without the evaluations. */
    public double trainSeconds() {
        return trainSeconds;
    }

    /** True if the run kept a weight average ({@code compare --average}). */
    public boolean averaged() {
        return averagedTestAccuracy != null;
    }

    /** Mean test cross-entropy at the averaged weights after this epoch; NaN as {@link #averagedTestAccuracy()}. */
    public double averagedTestLoss() {
        return averagedTestLoss == null ? Double.NaN : averagedTestLoss;
    }

    /**
     * Test accuracy at the averaged weights after this epoch; NaN without weight averaging or before the first
     * average (SWA before its start epoch).
     */
    public double averagedTestAccuracy() {
        return averagedTestAccuracy == null ? Double.NaN : averagedTestAccuracy;
    }
}
