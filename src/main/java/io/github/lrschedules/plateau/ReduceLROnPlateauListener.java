package io.github.lrschedules.plateau;

import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.internal.Args;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.updater.LearningRates;
import java.io.File;
import java.io.Serializable;
import org.deeplearning4j.nn.api.Model;

/**
 * Lowers the learning rate when a monitored metric stops improving, with PyTorch's ReduceLROnPlateau rule
 * ({@link PlateauTracker}), on top of whatever schedule the network already has.
 *
 * <p>A reduction multiplies the effective learning rate of every updater that has one (weights and biases, every
 * layer, layers with their own updater too) by the same factor. It does so by wrapping each updater's schedule, or
 * fixed learning rate, in a {@link io.github.lrschedules.schedule.ScaledSchedule}: per-layer ratios stay, a warmup,
 * cosine or milestone schedule keeps running underneath, and the updater state (Adam moments, Nesterov velocity) is
 * kept. Before each
 * reduction the listener gives the network its own copies of the updater configurations, so that a network that
 * shares them with another one (a {@code clone()}, a TransferLearning copy, a model saver's snapshot) changes alone.
 *
 * <p>The factor comes from the tracker applied to the reference learning rate: the largest effective learning
 * rate among the network's updaters at the next step. {@code minLr} bounds that rate at the moment of a reduction;
 * a schedule underneath may take it lower afterwards (PyTorch cannot combine the two at all).
 *
 * <p>Metric sources: the mean training loss of the epoch (default), the loss, accuracy or F1 on a validation
 * iterator, or a value the caller passes to {@link #report(Model, double)} (for loops without epoch callbacks:
 * {@code EarlyStoppingTrainer} through {@link #earlyStoppingListener()}, {@code ParallelWrapper}, Spark). Decisions
 * are made at the end of every epoch, or every N iterations.
 *
 * <p>{@link #saveState(File)} and {@link #restoreState(File)} keep the decision state
 * ({@link ReduceLROnPlateauState}) in the model zip, so a run resumed from a checkpoint makes the same decisions as
 * one that was never interrupted. Thread-safe.
 *
 * <p>The parts: {@link PlateauTracker} decides, a {@code MetricSource} gives the value, {@link LearningRates} changes
 * the updater configurations, {@link io.github.lrschedules.checkpoint.Checkpoint} reads and writes the state; the connection to DL4J's
 * callbacks is shared with {@link GreedyLrListener}, which applies Hugging Face's GreedyLR rule the same way.
 *
 * <p>{@code ParallelWrapper}: decide with {@link #report(Model, double)} on the root model between {@code fit}
 * calls; the workers of the next fit train with the reduced rate. With a {@code MultiLayerNetwork} root, DL4J
 * (1.0.0-M2.1) clears the root's solver and updater at the end of every wrapper {@code fit}, so the updater state
 * (Adam's moments, Nesterov's velocity) starts from zero at each fit whether or not this listener is used; a
 * {@code ComputationGraph} root keeps it. The "kept updater state" above holds within a fit and for the other
 * training loops.
 */
public final class ReduceLROnPlateauListener extends MetricRuleListener implements Checkpointable<ReduceLROnPlateauState> {

    /** Key of the listener's state among the model zip's extra objects. */
    public static final String STATE_KEY = "reduceLROnPlateau";

    /** What the listener monitors. */
    public enum Metric {
        /** Mean of the mini-batch scores since the last decision (MIN). */
        TRAINING_LOSS,
        /** Loss on the validation iterator, averaged over examples (MIN). */
        VALIDATION_LOSS,
        /** Accuracy on the validation iterator, from DL4J's {@code Evaluation} (MAX). */
        VALIDATION_ACCURACY,
        /** F1 on the validation iterator, from DL4J's {@code Evaluation.f1()} (MAX). */
        VALIDATION_F1,
        /** A value passed to {@link #report(Model, double)}; mode chosen by the caller. */
        REPORTED
    }

    private final PlateauTracker tracker;

    private ReduceLROnPlateauListener(Builder b) {
        super(b);
        this.tracker = b.tracker.mode(source.mode()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    double nextRate(double value, double currentLr) {
        return tracker.step(value, currentLr);
    }

    @Override
    double best() {
        return tracker.state().getBest();
    }

    @Override
    String ruleName() {
        return "ReduceLROnPlateau";
    }

    @Override
    String stateKey() {
        return STATE_KEY;
    }

    @Override
    Serializable checkpointState() {
        return state();
    }

    @Override
    void restoreCheckpointState(Object state) {
        restore((ReduceLROnPlateauState) state);
    }

    /** The tracker's state now. */
    public synchronized PlateauTracker.State trackerState() {
        return tracker.state();
    }

    /** Everything needed to continue exactly: tracker state, what was gathered since the last decision, history. */
    /** {@value #STATE_KEY}: the key of this listener's state in a {@link io.github.lrschedules.checkpoint.Checkpoint}. */
    @Override
    public String checkpointKey() {
        return STATE_KEY;
    }

    @Override
    public synchronized ReduceLROnPlateauState state() {
        return new ReduceLROnPlateauState(tracker.state(), source.gatheredSum(), source.gatheredCount(), historyList());
    }

    /** Continues from a state taken with {@link #state()}. */
    @Override
    public synchronized void restore(ReduceLROnPlateauState state) {
        Args.notNull("state", state);
        tracker.restore(state.getTracker());
        restoreGatheredAndHistory(state.getLossSum(), state.getLossCount(), state.getHistory());
    }

    @Override
    public synchronized String toString() {
        return "ReduceLROnPlateauListener{" + describeTiming() + ", tracker=" + tracker + ", reductions="
                + history().size() + "}";
    }

    /**
     * Builds a {@link ReduceLROnPlateauListener}; defaults are PyTorch's and the mean training loss, decided at the
     * end of every epoch. Choose at most one metric source ({@code trainingLoss}, {@code validationLoss},
     * {@code validationAccuracy}, {@code validationF1}, {@code reported}) and at most one timing
     * ({@code evaluateEveryEpoch}, {@code evaluateEveryIterations}); a reported metric is decided when
     * {@code report} is called, so it takes no timing. {@link #build()} refuses options that contradict each other
     * with an {@code IllegalStateException} naming both.
     */
    public static final class Builder extends MetricOptions<Builder> {
        private final PlateauTracker.Builder tracker = PlateauTracker.builder();

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /** See {@link PlateauTracker.Builder#factor(double)}: in (0, 1), default 0.1. */
        public Builder factor(double factor) {
            tracker.factor(factor);
            return this;
        }

        /** See {@link PlateauTracker.Builder#patience(int)}: &gt;= 0, default 10. */
        public Builder patience(int patience) {
            tracker.patience(patience);
            return this;
        }

        public Builder threshold(double threshold) {
            tracker.threshold(threshold);
            return this;
        }

        public Builder thresholdMode(PlateauTracker.ThresholdMode thresholdMode) {
            tracker.thresholdMode(thresholdMode);
            return this;
        }

        public Builder cooldown(int cooldown) {
            tracker.cooldown(cooldown);
            return this;
        }

        public Builder minLr(double minLr) {
            tracker.minLr(minLr);
            return this;
        }

        public Builder eps(double eps) {
            tracker.eps(eps);
            return this;
        }

        /**
         * @throws IllegalStateException for options that contradict each other: two metric sources, two timings,
         *                               or {@code reported(mode)} with a timing (a reported metric is decided when
         *                               {@code report} is called, never by an epoch or iteration count)
         */
        public ReduceLROnPlateauListener build() {
            checkOptions();
            return new ReduceLROnPlateauListener(this);
        }
    }
}
