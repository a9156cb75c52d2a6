package io.github.lrschedules.plateau;

import io.github.lrschedules.checkpoint.Checkpoint;
import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.Networks;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.updater.LearningRates;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.listener.EarlyStoppingListener;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link ReduceLROnPlateauListener} and {@link GreedyLrListener} share: a metric gathered or measured during
 * training (or reported by the caller), a decision at the end of every epoch or every N iterations, and the new rate
 * applied to every LR-bearing updater of the network as a {@link ScaledSchedule} on top of its schedule (updater state
 * kept), with the changes recorded and the state kept in a model zip. A subclass only supplies the rule. Public so that
 * a loop without DL4J's callbacks (the Spark module's driver loop) can take either rule; its constructor is not, so
 * the two listeners of this package are its only kinds.
 */
public abstract class MetricRuleListener extends BaseTrainingListener {

    private static final Logger log = LoggerFactory.getLogger(MetricRuleListener.class);

    final MetricSource source;
    /** Decide every this many iterations; 0: at the end of every epoch. Never used for REPORTED. */
    final int everyIterations;
    private final List<Reduction> history = new ArrayList<>();

    MetricRuleListener(MetricOptions<?> options) {
        this.source = options.source;
        this.everyIterations = options.everyIterations == null ? 0 : options.everyIterations;
    }

    /** The rule: the reference learning rate for the next period, from the metric and the rate now. */
    abstract double nextRate(double value, double currentLr);

    /** The rule's best metric value so far (recorded with each change). */
    abstract double best();

    /** The rule's name in messages: {@code "ReduceLROnPlateau"}. */
    abstract String ruleName();

    /** The key of the state among a model zip's extra objects. */
    abstract String stateKey();

    /** The listener's whole state, to continue exactly (see {@link #restoreState(File)}). */
    abstract Serializable checkpointState();

    /** Continues from a state that {@link #checkpointState()} gave. */
    abstract void restoreCheckpointState(Object state);

    boolean reported() {
        return source.metric() == ReduceLROnPlateauListener.Metric.REPORTED;
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
     * {@code ParallelWrapper}, {@code sparkNet.getNetwork()} between Spark fits). Use with a listener built with
     * {@code reported(mode)}.
     *
     * @return the reference learning rate from now on
     */
    public synchronized double report(Model model, double value) {
        return reportFor(model, value, Networks.epochCount(model));
    }

    /** {@link #report(Model, double)} for a model whose next step is in epoch {@code nextEpoch}. */
    synchronized double reportFor(Model model, double value, int nextEpoch) {
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
        MetricRuleListener listener = this;
        return new EarlyStoppingListener<T>() {
            @Override
            public void onStart(EarlyStoppingConfiguration<T> esConfig, T net) {
            }

            @Override
            public void onEpoch(int epochNum, double score, EarlyStoppingConfiguration<T> esConfig, T net) {
                // The trainer sets the epoch count at the start of each epoch, so the model still counts epochNum
                // here: the next step (the first with a changed rate) is in epoch epochNum + 1.
                listener.reportFor(net, score, epochNum + 1);
            }

            @Override
            public void onCompletion(EarlyStoppingResult<T> esResult) {
            }
        };
    }

    // ---- the decision -------------------------------------------------------------------------------------------

    private double decide(Model model, double value, int nextIteration, int nextEpoch) {
        source.newPeriod();
        List<IUpdater> updaters = Networks.learningRateUpdaters(model);
        if (updaters.isEmpty()) {
            throw new IllegalStateException("the model has no updater with a learning rate to change");
        }
        double current = LearningRates.max(updaters, nextIteration, nextEpoch);
        double next = nextRate(value, current);
        if (next != current && current > 0 && next > 0) {
            double factor = next / current;
            // At every change, not only the first: a clone() taken since (EarlyStoppingTrainer's model saver
            // keeps clones) shares this model's configurations and must keep its rate.
            updaters = LearningRates.change(model, schedule -> scaled(schedule, factor));
            Reduction change = new Reduction(nextEpoch, nextIteration, value, best(), current,
                    LearningRates.max(updaters, nextIteration, nextEpoch));
            history.add(change);
            log.info("{}: epoch {}, iteration {}: {} = {} (best {}); learning rate {} -> {}", ruleName(), nextEpoch,
                    nextIteration, source.metric(), value, best(), current, change.getNewLr());
            return change.getNewLr();
        }
        return current;
    }

    /** {@code schedule} times {@code factor}; an installed {@code ScaledSchedule} gets the product of the scales. */
    private static ScaledSchedule scaled(ISchedule schedule, double factor) {
        if (schedule instanceof ScaledSchedule) {
            ScaledSchedule current = (ScaledSchedule) schedule;
            return current.withScale(current.getScale() * factor);
        }
        return new ScaledSchedule(schedule, factor);
    }

    // ---- state --------------------------------------------------------------------------------------------------

    /** The rate changes made so far, oldest first. */
    public synchronized List<Reduction> history() {
        return Collections.unmodifiableList(new ArrayList<>(history));
    }

    /** The changes made so far, for a state object. */
    synchronized List<Reduction> historyList() {
        return new ArrayList<>(history);
    }

    /** Continues the metric source's period and the history from a state. */
    synchronized void restoreGatheredAndHistory(double lossSum, long lossCount, List<Reduction> changes) {
        source.restoreGathered(lossSum, lossCount);
        history.clear();
        history.addAll(changes);
    }

    /**
     * Adds this listener's state to a model zip written by {@code ModelSerializer}, replacing an earlier one. The
     * zip is rewritten beside itself and moved into place, so a failure leaves the original file intact.
     *
     * @throws IllegalArgumentException if {@code modelZip} is not a file
     */
    public void saveState(File modelZip) throws IOException {
        Args.notNull("modelZip", modelZip);
        if (!modelZip.isFile()) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") is not a file; write the model first");
        }
        Checkpoint.update(modelZip.toPath(), asCheckpointable());
    }

    /**
     * Writes {@code model} (with its updater state) and this listener's state to {@code modelZip} in one step;
     * an existing file is replaced only once the new one is complete. The same as
     * {@code Checkpoint.of(model).state(this).write(modelZip.toPath())}.
     */
    public void checkpoint(Model model, File modelZip) throws IOException {
        Args.notNull("modelZip", modelZip);
        Checkpoint.of(model).state(asCheckpointable()).write(modelZip.toPath());
    }

    /**
     * Continues from the state stored in a model zip by {@link #saveState(File)} or {@link #checkpoint}.
     *
     * @throws IllegalArgumentException if the zip holds no such state
     */
    public void restoreState(File modelZip) {
        Args.notNull("modelZip", modelZip);
        try {
            if (!Checkpoint.keys(modelZip.toPath()).contains(stateKey())) {
                throw new IllegalArgumentException("modelZip (" + modelZip + ") holds no " + ruleName()
                        + " state (key \"" + stateKey() + "\"); save it with saveState or checkpoint");
            }
            restoreCheckpointState(Checkpoint.object(modelZip.toPath(), stateKey(), Serializable.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + ruleName() + " state from " + modelZip, e);
        }
    }

    /** This listener's state as {@link Checkpoint} reads and writes it. */
    private Checkpointable<Serializable> asCheckpointable() {
        return new Checkpointable<Serializable>() {
            @Override
            public String checkpointKey() {
                return stateKey();
            }

            @Override
            public Serializable state() {
                return checkpointState();
            }

            @Override
            public void restore(Serializable state) {
                restoreCheckpointState(state);
            }
        };
    }

    String describeTiming() {
        return "metric=" + source.metric() + (reported() ? ", on report"
                : everyIterations > 0 ? ", everyIterations=" + everyIterations : ", every epoch");
    }

    /**
     * The metric and timing options of both listeners' builders: at most one metric source ({@code trainingLoss},
     * {@code validationLoss}, {@code validationAccuracy}, {@code validationF1}, {@code reported}) and at most one
     * timing ({@code evaluateEveryEpoch}, {@code evaluateEveryIterations}); a reported metric takes no timing.
     */
    abstract static class MetricOptions<B extends MetricOptions<B>> {
        MetricSource source = MetricSource.trainingLoss();
        /** The call that chose the source, or null for the default. */
        private String sourceOption;
        /** The call that chose the timing, or null for the default. */
        private String timingOption;
        Integer everyIterations;
        private String conflict;

        abstract B self();

        /** Monitor the mean training loss (the default). */
        public B trainingLoss() {
            return source("trainingLoss()", MetricSource.trainingLoss());
        }

        /** Monitor the loss on {@code validationData}. */
        public B validationLoss(DataSetIterator validationData) {
            return source("validationLoss(data)", MetricSource.validation(
                    ReduceLROnPlateauListener.Metric.VALIDATION_LOSS, requireData(validationData)));
        }

        /** Monitor the accuracy on {@code validationData}. */
        public B validationAccuracy(DataSetIterator validationData) {
            return source("validationAccuracy(data)", MetricSource.validation(
                    ReduceLROnPlateauListener.Metric.VALIDATION_ACCURACY, requireData(validationData)));
        }

        /** Monitor the F1 score on {@code validationData}. */
        public B validationF1(DataSetIterator validationData) {
            return source("validationF1(data)", MetricSource.validation(
                    ReduceLROnPlateauListener.Metric.VALIDATION_F1, requireData(validationData)));
        }

        /** Decide only on values passed to {@code report(model, value)}; {@code mode} says which way is better. */
        public B reported(PlateauTracker.Mode mode) {
            Args.notNull("mode", mode, "MIN for a loss, MAX for an accuracy");
            return source("reported(" + mode + ")", MetricSource.reported(mode));
        }

        /** Decide at the end of every epoch (the default). */
        public B evaluateEveryEpoch() {
            return timing("evaluateEveryEpoch()", 0);
        }

        /** Decide every {@code iterations} iterations instead of every epoch. */
        public B evaluateEveryIterations(int iterations) {
            Args.positive("iterations", iterations);
            return timing("evaluateEveryIterations(" + iterations + ")", iterations);
        }

        private static DataSetIterator requireData(DataSetIterator data) {
            return Args.notNull("validationData", data);
        }

        private B source(String option, MetricSource chosen) {
            if (sourceOption != null && !sourceOption.equals(option)) {
                conflict(sourceOption, option, "two metric sources; choose one");
            }
            sourceOption = option;
            source = chosen;
            return self();
        }

        private B timing(String option, int iterations) {
            if (timingOption != null && !timingOption.equals(option)) {
                conflict(timingOption, option, "two decision timings; choose one");
            }
            timingOption = option;
            everyIterations = iterations;
            return self();
        }

        private void conflict(String first, String second, String why) {
            if (conflict == null) {
                conflict = first + " and " + second + " contradict each other: " + why;
            }
        }

        /**
         * @throws IllegalStateException for options that contradict each other: two metric sources, two timings,
         *                               or {@code reported(mode)} with a timing
         */
        void checkOptions() {
            if (conflict != null) {
                throw new IllegalStateException(conflict);
            }
            if (source.metric() == ReduceLROnPlateauListener.Metric.REPORTED && timingOption != null) {
                throw new IllegalStateException(sourceOption + " and " + timingOption + " contradict each other: a"
                        + " reported metric is decided at each report(model, value) call, not by the epoch or"
                        + " iteration count; drop " + timingOption);
            }
        }
    }
}
