package io.github.lrschedules.samediff;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.FileTrailers;
import io.github.lrschedules.plateau.PlateauDecisions;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.ReduceLROnPlateauState;
import io.github.lrschedules.plateau.Reduction;
import io.github.lrschedules.updater.LearningRates;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerResponse;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * ReduceLROnPlateau for DL4J's SameDiff graphs: the SameDiff twin of
 * {@link io.github.lrschedules.plateau.ReduceLROnPlateauListener}, with the same rule ({@link PlateauTracker},
 * PyTorch's), the same options and the same composition with any schedule.
 *
 * <pre>
 * SameDiffPlateau plateau = SameDiffPlateau.builder().factor(0.5).patience(2)
 *         .validationLoss(validationIterator).build();
 * sd.addListeners(plateau);
 * sd.fit(trainIterator, 30);                        // decides at the end of every epoch
 * </pre>
 *
 * <p>A reduction wraps the schedule (or fixed rate) of the graph's {@code TrainingConfig} updater in a
 * {@code ScaledSchedule}, in place: {@code sd.getTrainingConfig().getUpdater().setLrAndSchedule(...)}. Every variable's
 * updater shares that configuration, so the next step uses the reduced rate, the updater state (Adam's moments) is
 * kept, a warmup or cosine schedule keeps running underneath, and {@code sd.save(file, true)} saves it. (Replacing the
 * configuration with {@code setTrainingConfig} after training started is ignored by the running updaters in M2.1.)
 *
 * <p>Metric sources: {@link Builder#validationLoss} computes the loss of the training configuration on a validation
 * iterator itself, because SameDiff 1.0.0-M2.1 reports a training loss of 0.0 ({@code Loss}, {@code LossCurve},
 * {@code History}; DL4J issues 9684 and 9853); {@link Builder#validationAccuracy} evaluates an output variable;
 * {@link Builder#reported} takes values the caller passes to {@link #report(SameDiff, double)}. The measured sources
 * decide in {@code epochEnd}, which SameDiff calls in {@code fit(iterator, epochs)} only: with {@code fit(DataSet)}
 * loops (which never advance the epoch count) use {@code reported} and {@code report}.
 *
 * <p>Listeners are not saved with the graph: {@link #saveState(File)} writes the decision state (best value, bad
 * epochs, cooldown, reductions) at the end of any file, the one {@code sd.save} wrote included (SameDiff still loads
 * it), and {@link #restoreState(File)} continues from it, so a resumed run makes the same decisions. Thread-safe.
 */
public final class SameDiffPlateau extends BaseListener {

    /** What the listener monitors and how it gets the value. */
    private interface Source {
        String name();

        PlateauTracker.Mode mode();

        /** The value now; only called for the measured sources. */
        double measure(SameDiff sd);
    }

    private final PlateauDecisions decisions;
    private final Source source;
    private final boolean reported;

    private SameDiffPlateau(Builder b) {
        this.source = b.source;
        this.reported = b.reported;
        this.decisions = new PlateauDecisions(b.tracker.mode(source.mode()).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Active during training only (the validation passes it makes itself are inference). */
    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    /** Decides for a measured source; the epoch count has not advanced yet, so the next step is in the next epoch. */
    @Override
    public synchronized ListenerResponse epochEnd(SameDiff sd, At at, LossCurve lossCurve, long epochTimeMillis) {
        if (!reported) {
            TrainingConfig config = SameDiffGraphs.trainingConfig(sd);
            decide(sd, source.measure(sd), config.getIterationCount(), config.getEpochCount() + 1);
        }
        return ListenerResponse.CONTINUE;
    }

    /**
     * Feeds a metric value measured by the caller (build with {@link Builder#reported(PlateauTracker.Mode)}) and
     * applies the decision to {@code sd}'s updater: one decision.
     *
     * @return the learning rate of the next step, at the {@code TrainingConfig}'s iteration and epoch counts
     * @throws IllegalStateException if this listener measures its metric itself, or the graph has no training
     *                               configuration or no learning rate
     */
    public synchronized double report(SameDiff sd, double value) {
        if (!reported) {
            throw new IllegalStateException("this listener monitors " + source.name()
                    + "; build it with reported(mode) to feed it values with report(sd, value)");
        }
        TrainingConfig config = SameDiffGraphs.trainingConfig(sd);
        return decide(sd, value, config.getIterationCount(), config.getEpochCount());
    }

    private double decide(SameDiff sd, double value, int nextIteration, int nextEpoch) {
        IUpdater updater = SameDiffGraphs.learningRateUpdater(sd);
        return decisions.decide(source.name(), value, nextIteration, nextEpoch, new PlateauDecisions.Rates() {
            @Override
            public double reference(int iteration, int epoch) {
                return updater.getLearningRate(iteration, epoch);
            }

            @Override
            public void change(UnaryOperator<ISchedule> change) {
                LearningRates.change(updater, change);
            }
        });
    }

    /** The reductions made so far, oldest first. */
    public List<Reduction> history() {
        return decisions.history();
    }

    /** The tracker's state now. */
    public PlateauTracker.State trackerState() {
        return decisions.trackerState();
    }

    /** Everything needed to continue exactly: the tracker's state and the reductions. */
    public ReduceLROnPlateauState state() {
        return decisions.state(0, 0);
    }

    /** Continues from a state taken with {@link #state()} (or a network listener's). */
    public void restore(ReduceLROnPlateauState state) {
        decisions.restore(state);
    }

    /**
     * Writes the state at the end of {@code file}: the file {@code sd.save(file, true)} wrote (which
     * {@code SameDiff.load} still reads), or any other; a missing file is created. An earlier plateau state in the file is
     * replaced; a weight average saved there by {@code SameDiffWeightAveraging} is kept. The file is rewritten beside itself and moved into place, so a failure leaves it intact.
     */
    public void saveState(File file) throws IOException {
        Args.notNull("file", file);
        FileTrailers.write(file, FileTrailers.PLATEAU, state());
    }

    /**
     * Continues from the state {@link #saveState(File)} wrote into {@code file}.
     *
     * @throws IllegalArgumentException if the file holds no such state
     */
    public void restoreState(File file) throws IOException {
        Args.notNull("file", file);
        restore(FileTrailers.read(file, FileTrailers.PLATEAU, ReduceLROnPlateauState.class));
    }

    @Override
    public String toString() {
        return "SameDiffPlateau{metric=" + source.name() + (reported ? ", on report" : ", every epoch")
                + ", tracker=" + decisions.describeTracker() + ", reductions=" + decisions.history().size() + "}";
    }

    /**
     * Builds a {@link SameDiffPlateau}; rule options and defaults as
     * {@link io.github.lrschedules.plateau.ReduceLROnPlateauListener.Builder} (PyTorch's: factor 0.1, patience 10,
     * threshold 1e-4 REL, cooldown 0, minLr 0, eps 1e-8). Choose exactly one metric source: {@code validationLoss},
     * {@code validationAccuracy} or {@code reported}; {@link #build()} refuses none or two with an
     * {@code IllegalStateException}.
     */
    public static final class Builder {
        private final PlateauTracker.Builder tracker = PlateauTracker.builder();
        private Source source;
        private boolean reported;
        private String sourceOption;
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

        /** See {@link PlateauTracker.Builder#threshold(double)}: &gt;= 0, default 1e-4. */
        public Builder threshold(double threshold) {
            tracker.threshold(threshold);
            return this;
        }

        /** REL (default) or ABS. */
        public Builder thresholdMode(PlateauTracker.ThresholdMode thresholdMode) {
            tracker.thresholdMode(thresholdMode);
            return this;
        }

        /** See {@link PlateauTracker.Builder#cooldown(int)}: &gt;= 0, default 0. */
        public Builder cooldown(int cooldown) {
            tracker.cooldown(cooldown);
            return this;
        }

        /** See {@link PlateauTracker.Builder#minLr(double)}: &gt;= 0, default 0. */
        public Builder minLr(double minLr) {
            tracker.minLr(minLr);
            return this;
        }

        /** See {@link PlateauTracker.Builder#eps(double)}: &gt;= 0, default 1e-8. */
        public Builder eps(double eps) {
            tracker.eps(eps);
            return this;
        }

        /**
         * Monitor (MIN) the loss of the graph's training configuration on {@code validationData}, computed by the
         * listener at the end of every epoch: the sum of the loss variables per batch, weighted by the batch's
         * examples (the mean over examples for SameDiff's default loss reduction), in inference mode.
         */
        public Builder validationLoss(DataSetIterator validationData) {
            DataSetIterator data = Args.notNull("validationData", validationData);
            return source("validationLoss(data)", false, new Source() {
                @Override
                public String name() {
                    return "VALIDATION_LOSS";
                }

                @Override
                public PlateauTracker.Mode mode() {
                    return PlateauTracker.Mode.MIN;
                }

                @Override
                public double measure(SameDiff sd) {
                    return SameDiffGraphs.meanLoss(sd, data);
                }
            });
        }

        /**
         * Monitor (MAX) the classification accuracy of {@code outputVariable} (the graph's probabilities or scores)
         * on {@code validationData}, evaluated with DL4J's {@code Evaluation} at the end of every epoch.
         */
        public Builder validationAccuracy(DataSetIterator validationData, String outputVariable) {
            DataSetIterator data = Args.notNull("validationData", validationData);
            String output = Args.notEmpty("outputVariable", outputVariable);
            return source("validationAccuracy(data, " + output + ")", false, new Source() {
                @Override
                public String name() {
                    return "VALIDATION_ACCURACY";
                }

                @Override
                public PlateauTracker.Mode mode() {
                    return PlateauTracker.Mode.MAX;
                }

                @Override
                public double measure(SameDiff sd) {
                    if (!sd.hasVariable(output)) {
                        throw new IllegalStateException("outputVariable (" + output + ") is not a variable of the"
                                + " SameDiff graph");
                    }
                    return SameDiffGraphs.accuracy(sd, data, output);
                }
            });
        }

        /** Decide only on values passed to {@link #report(SameDiff, double)}; {@code mode} says which way is better. */
        public Builder reported(PlateauTracker.Mode mode) {
            Args.notNull("mode", mode, "MIN for a loss, MAX for an accuracy");
            return source("reported(" + mode + ")", true, new Source() {
                @Override
                public String name() {
                    return "REPORTED";
                }

                @Override
                public PlateauTracker.Mode mode() {
                    return mode;
                }

                @Override
                public double measure(SameDiff sd) {
                    throw new IllegalStateException("a reported metric is passed to report(sd, value), not measured");
                }
            });
        }

        private Builder source(String option, boolean isReported, Source chosen) {
            if (sourceOption != null && !sourceOption.equals(option) && conflict == null) {
                conflict = sourceOption + " and " + option + " contradict each other: two metric sources; choose one";
            }
            sourceOption = option;
            source = chosen;
            reported = isReported;
            return this;
        }

        /**
         * @throws IllegalStateException without a metric source, or with two
         */
        public SameDiffPlateau build() {
            if (conflict != null) {
                throw new IllegalStateException(conflict);
            }
            if (source == null) {
                throw new IllegalStateException("no metric source: choose validationLoss(data),"
                        + " validationAccuracy(data, outputVariable) or reported(mode) (SameDiff 1.0.0-M2.1 reports a training loss of 0.0,"
                        + " so the training loss cannot be monitored)");
            }
            return new SameDiffPlateau(this);
        }
    }
}
