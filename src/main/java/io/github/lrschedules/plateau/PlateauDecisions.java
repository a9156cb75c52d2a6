package io.github.lrschedules.plateau;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.schedule.ScaledSchedule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plateau decision of {@link ReduceLROnPlateauListener} and of the SameDiff listener
 * ({@code io.github.lrschedules.samediff.SameDiffPlateau}), in one place: a {@link PlateauTracker} steps on the
 * reference learning rate of the next step, and a reduction multiplies every learning rate by the same factor through
 * a {@link ScaledSchedule} (an installed one gets the product of the scales), so that a warmup, cosine or milestone
 * schedule underneath keeps running. Records the {@link Reduction}s; its state is a {@link ReduceLROnPlateauState}.
 *
 * <p>Example: at reference rate 0.1 with {@code factor(0.5)}, a reduction wraps a {@code FixedSchedule(0.1)} in
 * {@code ScaledSchedule(FixedSchedule(0.1), 0.5)} and a cosine {@code c} in {@code ScaledSchedule(c, 0.5)}; a second
 * one makes the scale 0.25. Thread-safe. A building block of the listeners, not needed to use them.
 */
public final class PlateauDecisions {

    private static final Logger log = LoggerFactory.getLogger(PlateauDecisions.class);

    /** The learning rates one decision reads and changes: a network's updaters, or a SameDiff graph's. */
    public interface Rates {
        /** The reference learning rate of step ({@code iteration}, {@code epoch}): the largest of the updaters. */
        double reference(int iteration, int epoch);

        /**
         * Replaces every learning-rate schedule {@code s} (a fixed rate as a {@code FixedSchedule}) by
         * {@code change(s)}.
         */
        void change(UnaryOperator<ISchedule> change);
    }

    private final PlateauTracker tracker;
    private final List<Reduction> history = new ArrayList<>();

    /** Decides with {@code tracker} (its mode, factor, patience, ...), which it owns from now on. */
    public PlateauDecisions(PlateauTracker tracker) {
        this.tracker = Args.notNull("tracker", tracker);
    }

    /**
     * Feeds {@code value}, the monitored metric of the period that just ended, and applies the decision to
     * {@code rates}.
     *
     * @param metric        what {@code value} is, for the log
     * @param nextIteration iteration count of the first step the decision affects
     * @param nextEpoch     epoch count of that step
     * @return the reference learning rate of that step, reduced or not
     */
    public synchronized double decide(String metric, double value, int nextIteration, int nextEpoch, Rates rates) {
        Args.notNull("rates", rates);
        double current = rates.reference(nextIteration, nextEpoch);
        double next = tracker.step(value, current);
        if (!(next < current)) {
            return current;
        }
        double factor = next / current;
        rates.change(schedule -> scaled(schedule, factor));
        double best = tracker.state().getBest();
        Reduction reduction = new Reduction(nextEpoch, nextIteration, value, best, current,
                rates.reference(nextIteration, nextEpoch));
        history.add(reduction);
        log.info("ReduceLROnPlateau: epoch {}, iteration {}: {} = {} (best {}) did not improve; learning rate {} -> {}",
                nextEpoch, nextIteration, metric, value, best, current, reduction.getNewLr());
        return reduction.getNewLr();
    }

    /** {@code schedule} times {@code factor}; an installed {@code ScaledSchedule} gets the product of the scales. */
    private static ScaledSchedule scaled(ISchedule schedule, double factor) {
        if (schedule instanceof ScaledSchedule) {
            ScaledSchedule current = (ScaledSchedule) schedule;
            return current.withScale(current.getScale() * factor);
        }
        return new ScaledSchedule(schedule, factor);
    }

    /** The reductions made so far, oldest first (a copy). */
    public synchronized List<Reduction> history() {
        return Collections.unmodifiableList(new ArrayList<>(history));
    }

    /** The tracker's state now. */
    public synchronized PlateauTracker.State trackerState() {
        return tracker.state();
    }

    /** The tracker's configuration and state, for {@code toString}. */
    public synchronized String describeTracker() {
        return tracker.toString();
    }

    /**
     * Everything needed to continue exactly, with what a metric source gathered since the last decision (0 and 0 for
     * sources that gather nothing).
     */
    public synchronized ReduceLROnPlateauState state(double gatheredSum, long gatheredCount) {
        return new ReduceLROnPlateauState(tracker.state(), gatheredSum, gatheredCount, history);
    }

    /** Continues the tracker and the history from {@code state}; the gathered values are the caller's. */
    public synchronized void restore(ReduceLROnPlateauState state) {
        Args.notNull("state", state);
        tracker.restore(state.getTracker());
        history.clear();
        history.addAll(state.getHistory());
    }
}
