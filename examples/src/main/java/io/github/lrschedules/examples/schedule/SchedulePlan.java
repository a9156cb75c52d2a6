package io.github.lrschedules.examples.schedule;

import io.github.lrschedules.examples.train.RunSettings;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * What a schedule is fitted to: the run's settings (the one validated run specification: peak learning rate, epochs,
 * plateau factor and patience, one-cycle peak), the ITERATION steps of an epoch and the held-out data. The recipes of
 * {@link ScheduleName} read the settings directly.
 */
public final class SchedulePlan {

    /** Momentum of the Nesterovs updater every schedule uses (one-cycle moves it between 0.85 and 0.95). */
    public static final double MOMENTUM = 0.9;

    private final RunSettings settings;
    private final int batchesPerEpoch;
    private final DataSetIterator validation;
    private final boolean validationReported;

    /**
     * @param batchesPerEpoch ITERATION steps of one epoch (the mini-batches; under Spark the averaging rounds times
     *                        the averaging frequency)
     * @param validation      the held-out split the plateau schedule monitors (may be null for other schedules)
     */
    public SchedulePlan(RunSettings settings, int batchesPerEpoch, DataSetIterator validation) {
        this(settings, batchesPerEpoch, validation, false);
    }

    private SchedulePlan(RunSettings settings, int batchesPerEpoch, DataSetIterator validation,
                         boolean validationReported) {
        if (settings == null) {
            throw new IllegalArgumentException("settings (null) must be given");
        }
        if (batchesPerEpoch < 1) {
            throw new IllegalArgumentException("batchesPerEpoch (" + batchesPerEpoch + ") must be >= 1");
        }
        this.settings = settings;
        this.batchesPerEpoch = batchesPerEpoch;
        this.validation = validation;
        this.validationReported = validationReported;
    }

    /**
     * This plan for a run whose trainer measures the held-out loss itself and reports it to the plateau listener
     * ({@code ReduceLROnPlateauListener.report}) after every epoch: under Spark the driver's network never runs the
     * epoch the listener would see.
     */
    public SchedulePlan reportingValidationLoss() {
        return new SchedulePlan(settings, batchesPerEpoch, validation, true);
    }

    /** True if the plateau listener gets the held-out loss through {@code report}; see {@link #reportingValidationLoss()}. */
    public boolean validationReported() {
        return validationReported;
    }

    /** The run's settings. */
    public RunSettings settings() {
        return settings;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Total iterations: {@code epochs * batchesPerEpoch}. */
    public int totalIterations() {
        return settings.epochs() * batchesPerEpoch;
    }

    public DataSetIterator validation() {
        return validation;
    }
}
