package io.github.lrschedules.plateau;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.updater.LearningRates;
import io.github.lrschedules.internal.Networks;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.listener.EarlyStoppingListener;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.schedule.ISchedule;

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
 * <p>The parts: {@link PlateauTracker} decides and {@link PlateauDecisions} applies the decision (shared with the
 * SameDiff listener), a {@code MetricSource} gives the value, {@link LearningRates} changes the updater
 * configurations, {@code PlateauCheckpoint} reads and writes the state; this class only connects them
 * to DL4J's callbacks.
 *
 * <p>{@code ParallelWrapper}: decide with {@link #report(Model, double)} on the root model between {@code fit}
 * calls; the workers of the next fit train with the reduced rate. With a {@code MultiLayerNetwork} root, DL4J
 * (1.0.0-M2.1) clears the root's solver and updater at the end of every wrapper {@code fit}, so the updater state
 * (Adam's moments, Nesterov's velocity) starts from zero at each fit whether or not this listener is used; a
 * {@code ComputationGraph} root keeps it. The "kept updater state" above holds within a fit and for the other
 * training loops.
 */
public final class ReduceLROnPlateauListener extends BaseTrainingListener {

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

    private final PlateauDecisions decisions;
    private final MetricSource source;
    /** Decide every this many iterations; 0: at the end of every epoch. Never used for REPORTED. */
    private final int everyIterations;

    private ReduceLROnPlateauListener(Builder b) {
        this.source = b.source;
        this.everyIterations = b.everyIterations == null ? 0 : b.everyIterations;
        this.decisions = new PlateauDecisions(b.tracker.mode(source.mode()).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    private boolean reported() {
        return source.metric() == Metric.REPORTED;
    }

    // ---- training callbacks -------------------------------------------------------------------------------------

    @Override
    public synchronized void iterationDone(Model model, int iteration, int epoch) {
        source.iterationDone(model);
        if (everyIterations > 0 && (iteration + 1) % everyIterations == 0) {
            decide(model, source.measure(model), iteration + 1, epoch);
        }
    }

    @Override
    public synchronized void onEpochEnd(Model model) {
        if (everyIterations == 0 && !reported()) {
            // The epoch counter has not advanced yet: the next step is in the next epoch.
            decide(model, source.measure(model), Networks.iterationCount(model), Networks.epochCount(model) + 1);
        }
    }

    /**
     * Feeds a metric value measured by the caller and applies the decision to {@code model} (the root model for
     * {@code ParallelWrapper}). Use with {@link Builder#reported(PlateauTracker.Mode)}.
     *
     * @return the reference learning rate from now on
     */
    public synchronized double report(Model model, double value) {
        return reportFor(model, value, Networks.epochCount(model));
    }

    /** {@link #report(Model, double)} for a model whose next step is in epoch {@code nextEpoch}. */
    private synchronized double reportFor(Model model, double value, int nextEpoch) {
        if (!reported()) {
            throw new IllegalStateException("this listener monitors " + source.metric()
                    + "; build it with reported(mode) to feed it values with report(model, value)");
        }
        return decide(model, value, Networks.iterationCount(model), nextEpoch);
    }

    /**
     * An adapter for {@code EarlyStoppingTrainer}: feeds the trainer's per-epoch score (from its
     * {@code ScoreCalculator}) into {@link #report(Model, double)}. Build the listener with
     * {@code reported(MIN)} for a loss-like score.
     */
    public <T extends Model> EarlyStoppingListener<T> earlyStoppingListener() {
        ReduceLROnPlateauListener plateau = this;
        return new EarlyStoppingListener<T>() {
            @Override
            public void onStart(EarlyStoppingConfiguration<T> esConfig, T net) {
            }

            @Override
            public void onEpoch(int epochNum, double score, EarlyStoppingConfiguration<T> esConfig, T net) {
                // The trainer sets the epoch count at the start of each epoch, so the model still counts epochNum
                // here: the next step (the first with a reduced rate) is in epoch epochNum + 1.
                plateau.reportFor(net, score, epochNum + 1);
            }

            @Override
            public void onCompletion(EarlyStoppingResult<T> esResult) {
            }
        };
    }

    // ---- the decision -------------------------------------------------------------------------------------------

    private double decide(Model model, double value, int nextIteration, int nextEpoch) {
        source.newPeriod();
        if (Networks.learningRateUpdaters(model).isEmpty()) {
            throw new IllegalStateException("the model has no updater with a learning rate to reduce");
        }
        return decisions.decide(source.metric().name(), value, nextIteration, nextEpoch, new PlateauDecisions.Rates() {
            @Override
            public double reference(int iteration, int epoch) {
                return LearningRates.max(Networks.learningRateUpdaters(model), iteration, epoch);
            }

            @Override
            public void change(UnaryOperator<ISchedule> change) {
                // At every reduction, not only the first: a clone() taken since (EarlyStoppingTrainer's model saver
                // keeps clones) shares this model's configurations and must keep its rate.
                LearningRates.change(model, change);
            }
        });
    }

    // ---- state --------------------------------------------------------------------------------------------------

    /** The reductions made so far, oldest first. */
    public synchronized List<Reduction> history() {
        return decisions.history();
    }

    /** The tracker's state now. */
    public synchronized PlateauTracker.State trackerState() {
        return decisions.trackerState();
    }

    /** Everything needed to continue exactly: tracker state, what was gathered since the last decision, history. */
    public synchronized ReduceLROnPlateauState state() {
        return decisions.state(source.gatheredSum(), source.gatheredCount());
    }

    /** Continues from a state taken with {@link #state()}. */
    public synchronized void restore(ReduceLROnPlateauState state) {
        Args.notNull("state", state);
        decisions.restore(state);
        source.restoreGathered(state.getLossSum(), state.getLossCount());
    }

    /**
     * Adds this listener's state to a model zip written by {@code ModelSerializer}, replacing an earlier one. The
     * zip is rewritten beside itself and moved into place, so a failure leaves the original file intact.
     *
     * @throws IllegalArgumentException if {@code modelZip} is not a file
     */
    public void saveState(File modelZip) throws IOException {
        PlateauCheckpoint.addState(modelZip, state());
    }

    /**
     * Writes {@code model} (with its updater state) and this listener's state to {@code modelZip} in one step;
     * an existing file is replaced only once the new one is complete.
     */
    public void checkpoint(Model model, File modelZip) throws IOException {
        PlateauCheckpoint.write(model, modelZip, state());
    }

    /**
     * Continues from the state stored in a model zip by {@link #saveState(File)} or {@link #checkpoint}.
     *
     * @throws IllegalArgumentException if the zip holds no such state
     */
    public void restoreState(File modelZip) {
        restore(PlateauCheckpoint.read(modelZip));
    }

    @Override
    public synchronized String toString() {
        return "ReduceLROnPlateauListener{metric=" + source.metric() + (reported() ? ", on report"
                : everyIterations > 0 ? ", everyIterations=" + everyIterations : ", every epoch") + ", tracker="
                + decisions.describeTracker() + ", reductions=" + decisions.history().size() + "}";
    }

    /**
     * Builds a {@link ReduceLROnPlateauListener}; defaults are PyTorch's and the mean training loss, decided at the
     * end of every epoch. Choose at most one metric source ({@code trainingLoss}, {@code validationLoss},
     * {@code validationAccuracy}, {@code validationF1}, {@code reported}) and at most one timing
     * ({@code evaluateEveryEpoch}, {@code evaluateEveryIterations}); a reported metric is decided when
     * {@code report} is called, so it takes no timing. {@link #build()} refuses options that contradict each other
     * with an {@code IllegalStateException} naming both.
     */
    public static final class Builder {
        private final PlateauTracker.Builder tracker = PlateauTracker.builder();
        private MetricSource source = MetricSource.trainingLoss();
        /** The call that chose the source, or null for the default. */
        private String sourceOption;
        /** The call that chose the timing, or null for the default. */
        private String timingOption;
        private Integer everyIterations;
        private String conflict;

        private Builder() {
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

        /** Monitor the mean training loss (the default). */
        public Builder trainingLoss() {
            return source("trainingLoss()", MetricSource.trainingLoss());
        }

        /** Monitor the loss on {@code validationData}. */
        public Builder validationLoss(DataSetIterator validationData) {
            return source("validationLoss(data)",
                    MetricSource.validation(Metric.VALIDATION_LOSS, requireData(validationData)));
        }

        /** Monitor the accuracy on {@code validationData}. */
        public Builder validationAccuracy(DataSetIterator validationData) {
            return source("validationAccuracy(data)",
                    MetricSource.validation(Metric.VALIDATION_ACCURACY, requireData(validationData)));
        }

        /** Monitor the F1 score on {@code validationData}. */
        public Builder validationF1(DataSetIterator validationData) {
            return source("validationF1(data)",
                    MetricSource.validation(Metric.VALIDATION_F1, requireData(validationData)));
        }

        /** Decide only on values passed to {@link #report(Model, double)}; {@code mode} says which way is better. */
        public Builder reported(PlateauTracker.Mode mode) {
            Args.notNull("mode", mode, "MIN for a loss, MAX for an accuracy");
            return source("reported(" + mode + ")", MetricSource.reported(mode));
        }

        /** Decide at the end of every epoch (the default). */
        public Builder evaluateEveryEpoch() {
            return timing("evaluateEveryEpoch()", 0);
        }

        /** Decide every {@code iterations} iterations instead of every epoch. */
        public Builder evaluateEveryIterations(int iterations) {
            Args.positive("iterations", iterations);
            return timing("evaluateEveryIterations(" + iterations + ")", iterations);
        }

        private static DataSetIterator requireData(DataSetIterator data) {
            return Args.notNull("validationData", data);
        }

        private Builder source(String option, MetricSource chosen) {
            if (sourceOption != null && !sourceOption.equals(option)) {
                conflict(sourceOption, option, "two metric sources; choose one");
            }
            sourceOption = option;
            source = chosen;
            return this;
        }

        private Builder timing(String option, int iterations) {
            if (timingOption != null && !timingOption.equals(option)) {
                conflict(timingOption, option, "two decision timings; choose one");
            }
            timingOption = option;
            everyIterations = iterations;
            return this;
        }

        private void conflict(String first, String second, String why) {
            if (conflict == null) {
                conflict = first + " and " + second + " contradict each other: " + why;
            }
        }

        /**
         * @throws IllegalStateException for options that contradict each other: two metric sources, two timings,
         *                               or {@code reported(mode)} with a timing (a reported metric is decided when
         *                               {@code report} is called, never by an epoch or iteration count)
         */
        public ReduceLROnPlateauListener build() {
            if (conflict != null) {
                throw new IllegalStateException(conflict);
            }
            if (source.metric() == Metric.REPORTED && timingOption != null) {
                throw new IllegalStateException(sourceOption + " and " + timingOption + " contradict each other: a"
                        + " reported metric is decided at each report(model, value) call, not by the epoch or"
                        + " iteration count; drop " + timingOption);
            }
            return new ReduceLROnPlateauListener(this);
        }
    }
}
