package io.github.lrschedules.examples.schedule;

import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** What a schedule is fitted to: the peak learning rate, the training length and the held-out data. */
public final class SchedulePlan {

    /** Momentum of the Nesterovs updater every schedule uses (one-cycle moves it between 0.85 and 0.95). */
    public static final double MOMENTUM = 0.9;

    private final double learningRate;
    private final int epochs;
    private final int batchesPerEpoch;
    private final DataSetIterator validation;
    private final double plateauFactor;
    private final int plateauPatience;
    private final double oneCycleMax;
    private final boolean validationReported;

    /**
     * @param learningRate    the peak (for most, initial) learning rate of every schedule
     * @param validation      the held-out split the plateau schedule monitors (may be null for other schedules)
     * @param plateauFactor   factor of each plateau reduction, in (0, 1)
     * @param plateauPatience epochs without improvement before a plateau reduction
     */
    public SchedulePlan(double learningRate, int epochs, int batchesPerEpoch, DataSetIterator validation,
                        double plateauFactor, int plateauPatience) {
        this(learningRate, epochs, batchesPerEpoch, validation, plateauFactor, plateauPatience, learningRate);
    }

    /** @param oneCycleMax the maximum of the one-cycle schedule (--max-lr) */
    public SchedulePlan(double learningRate, int epochs, int batchesPerEpoch, DataSetIterator validation,
                        double plateauFactor, int plateauPatience, double oneCycleMax) {
        this.oneCycleMax = oneCycleMax;
        this.learningRate = learningRate;
        this.epochs = epochs;
        this.batchesPerEpoch = batchesPerEpoch;
        this.validation = validation;
        this.plateauFactor = plateauFactor;
        this.plateauPatience = plateauPatience;
        this.validationReported = false;
    }

    private SchedulePlan(SchedulePlan plan, boolean validationReported) {
        this.learningRate = plan.learningRate;
        this.epochs = plan.epochs;
        this.batchesPerEpoch = plan.batchesPerEpoch;
        this.validation = plan.validation;
        this.plateauFactor = plan.plateauFactor;
        this.plateauPatience = plan.plateauPatience;
        this.oneCycleMax = plan.oneCycleMax;
        this.validationReported = validationReported;
    }

    /**
     * This plan for a run whose trainer measures the held-out loss itself and reports it to the plateau listener
     * ({@code ReduceLROnPlateauListener.report}) after every epoch: under Spark the driver's network never runs the
     * epoch the listener would see.
     */
    public SchedulePlan reportingValidationLoss() {
        return new SchedulePlan(this, true);
    }

    /** True if the plateau listener gets the held-out loss through {@code report}; see {@link #reportingValidationLoss()}. */
    public boolean validationReported() {
        return validationReported;
    }

    public double learningRate() {
        return learningRate;
    }

    /** Maximum of the one-cycle schedule: --max-lr, which defaults to the learning rate. */
    public double oneCycleMax() {
        return oneCycleMax;
    }

    public int epochs() {
        return epochs;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Total iterations: {@code epochs * batchesPerEpoch}. */
    public int totalIterations() {
        return epochs * batchesPerEpoch;
    }

    public DataSetIterator validation() {
        return validation;
    }

    public double plateauFactor() {
        return plateauFactor;
    }

    public int plateauPatience() {
        return plateauPatience;
    }
}
